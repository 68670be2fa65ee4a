package dev.tendril.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * One run of tendrilctl's code in the test's own JVM (no process): its exit code and what it
 * printed on each stream. The tests that talk to a root or node on loopback use it; those on
 * emulated hosts run the real launcher there ({@link EmulatedHosts#ctl}).
 */
record CtlRun(int code, String out, String err) {

    static CtlRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CtlRun(code, out.toString(), err.toString());
    }

    static CtlRun of(List<String> args) {
        return of(args.toArray(String[]::new));
    }
}

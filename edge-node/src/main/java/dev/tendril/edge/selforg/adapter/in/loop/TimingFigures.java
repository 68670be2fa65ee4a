package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.selforg.domain.Timings;
import dev.tendril.protocol.message.AdminMessage.Figure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Timings as figures for {@code tendrilctl events}: count, p50, p90, p99, max in milliseconds (nearest rank). */
final class TimingFigures {
    private TimingFigures() {
    }

    static List<Figure> of(Timings t) {
        List<Figure> out = new ArrayList<>();
        add(out, "time-to-migrate", t.toMigrate());
        add(out, "time-to-replicate", t.toReplicate());
        add(out, "container-start", t.containerStarts());
        return out;
    }

    private static void add(List<Figure> out, String name, List<Duration> values) {
        out.add(new Figure(name + ".count", Integer.toString(values.size())));
        if (values.isEmpty()) {
            return;
        }
        out.add(new Figure(name + ".p50.ms", Long.toString(Timings.percentile(values, 50).toMillis())));
        out.add(new Figure(name + ".p90.ms", Long.toString(Timings.percentile(values, 90).toMillis())));
        out.add(new Figure(name + ".p99.ms", Long.toString(Timings.percentile(values, 99).toMillis())));
        out.add(new Figure(name + ".max.ms", Long.toString(Timings.percentile(values, 100).toMillis())));
    }
}

package dev.tendril.edge.adapter.out.process;

import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.protocol.spec.PortSpec;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs an instance as a plain local process (for devices without Docker and for the
 * testbed): the spec's {@code command}, with {@code ${VAR}} in its words replaced from the
 * instance environment. There is no port mapping: the process serves on
 * {@code TENDRIL_BIND_ADDRESS}:{@code TENDRIL_PORT_<NAME>} (the host ports). Each instance is
 * recorded in {@code <stateDir>/<node>-<service>.properties} (pid, start time, labels,
 * spec), so a restarted node finds the processes it owns; it runs in the folder
 * {@code <stateDir>/<node>-<service>/} and its output goes to {@code <node>-<service>.log}.
 *
 * <p>{@link #list} runs every instance-watch interval (250 ms in the topology experiments), so
 * it re-parses a record only when its text changed, and checks a process it already matched to
 * its record through the kept {@link ProcessHandle}, whose {@code isAlive} compares the pid's
 * start time with the one it was made with (a reused pid is not alive to it).
 */
public final class ProcessContainerRuntime implements ContainerRuntime {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private final Path stateDir;
    /** The processes this runtime started (and so can read the exit status of), by instance id. */
    private final Map<String, Process> ownProcesses = new java.util.concurrent.ConcurrentHashMap<>();
    /** Records parsed so far, by file; each is parsed again only when the file's text differs. */
    private final Map<Path, Record> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    public ProcessContainerRuntime(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public String kind() {
        return "process";
    }

    @Override
    public synchronized RuntimeResult start(InstanceRequest r) {
        if (r.command().isEmpty()) {
            return new RuntimeResult.Failed("the process runtime needs a command in the spec (command: [...])");
        }
        String key = r.nodeId() + "-" + r.service();
        readRecord(stateDir.resolve(key + ".properties")).ifPresent(old -> remove(old.id()));
        Map<String, String> env = new java.util.LinkedHashMap<>(r.fullEnv());
        for (PortSpec p : r.ports()) {
            env.put("TENDRIL_PORT_" + p.name().toUpperCase(Locale.ROOT).replace('-', '_'), Integer.toString(p.hostPort()));
        }
        env.put("TENDRIL_BIND_ADDRESS", r.bindAddress());
        List<String> command = r.command().stream().map(w -> substitute(w, env)).toList();
        try {
            Files.createDirectories(stateDir);
            Path log = stateDir.resolve(key + ".log");
            Path work = Files.createDirectories(stateDir.resolve(key));
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process process = pb.start();
            Instant started = process.info().startInstant().orElse(Instant.EPOCH);
            Properties p = new Properties();
            p.setProperty("pid", Long.toString(process.pid()));
            p.setProperty("start", started.toString());
            p.setProperty("node", r.nodeId());
            p.setProperty("service", r.service());
            p.setProperty("image", r.image());
            p.setProperty("spec", Base64.getEncoder().encodeToString(r.specText().getBytes(StandardCharsets.UTF_8)));
            Path tmp = stateDir.resolve(key + ".properties.tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "Tendril process instance");
            }
            Files.move(tmp, stateDir.resolve(key + ".properties"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ownProcesses.put(id(process.pid()), process);
            return new RuntimeResult.Started(new Instance(id(process.pid()), r.nodeId(), r.service(), r.image(), true, r.specText()));
        } catch (IOException e) {
            return new RuntimeResult.Failed("could not start '" + String.join(" ", command) + "': " + e.getMessage());
        }
    }

    static String substitute(String word, Map<String, String> env) {
        Matcher m = VAR.matcher(word);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(env.getOrDefault(m.group(1), "")));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String id(long pid) {
        return "pid-" + pid;
    }

    @Override
    public synchronized RuntimeResult remove(String instanceId) {
        Optional<Record> rec = records().stream().filter(r -> r.id().equals(instanceId)).findFirst();
        if (rec.isEmpty()) {
            return new RuntimeResult.NotFound(instanceId);
        }
        live(rec.get()).ifPresent(ProcessContainerRuntime::stop);
        ownProcesses.remove(instanceId);
        try {
            Files.deleteIfExists(rec.get().file());
        } catch (IOException e) {
            return new RuntimeResult.Failed("could not delete " + rec.get().file() + ": " + e.getMessage());
        }
        return new RuntimeResult.Stopped(instanceId);
    }

    private static void stop(ProcessHandle h) {
        List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
        all.add(h);
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    @Override
    public synchronized List<Instance> list() {
        return records().stream().map(r -> new Instance(r.id(), r.props().getProperty("node"),
                r.props().getProperty("service"), r.props().getProperty("image"), live(r).isPresent(), r.spec())).toList();
    }

    @Override
    public java.util.OptionalInt exitCode(String instanceId) {
        Process p = ownProcesses.get(instanceId);
        if (p == null) {
            return java.util.OptionalInt.empty();
        }
        if (p.isAlive() && !p.toHandle().isAlive()) {
            // gone (list() already says stopped) but the JDK's reaper has not collected its status yet
            try {
                p.waitFor(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return p.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(p.exitValue());
    }

    /**
     * One record file as parsed from {@code text}; {@code matched} is the process found to be the
     * recorded one (null until then).
     */
    private record Record(Path file, String text, Properties props, long pid, Instant start, String spec,
                          java.util.concurrent.atomic.AtomicReference<ProcessHandle> matched) {
        String id() {
            return ProcessContainerRuntime.id(pid);
        }
    }

    /**
     * The process when it still runs and is the one recorded (same start time: pids get reused).
     * Once matched, the kept handle answers: its {@code isAlive} is false for a reused pid, as
     * it compares the start time it was made with (reading {@code info()} again would cost
     * several reads of {@code /proc} per instance and call).
     */
    private static Optional<ProcessHandle> live(Record r) {
        ProcessHandle known = r.matched().get();
        if (known != null) {
            return known.isAlive() ? Optional.of(known) : Optional.empty();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(s -> s.equals(r.start()) || r.start().equals(Instant.EPOCH)).orElse(true));
        h.ifPresent(r.matched()::set);
        return h;
    }

    private List<Record> records() {
        if (!Files.isDirectory(stateDir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(stateDir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".properties")).toList();
        } catch (IOException e) {
            return List.of();
        }
        parsed.keySet().retainAll(new java.util.HashSet<>(files));
        return files.stream().map(this::readRecord).flatMap(Optional::stream).toList();
    }

    /** The record in {@code file}, parsed again only when its text changed since the last read; empty when unreadable. */
    private Optional<Record> readRecord(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            parsed.remove(file);
            return Optional.empty();
        }
        Record known = parsed.get(file);
        if (known != null && known.text().equals(text)) {
            return Optional.of(known);
        }
        Properties p = new Properties();
        try {
            p.load(new java.io.StringReader(text));
            Object encoded = p.remove("spec"); // kept decoded only: the text and the spec are the record's two copies
            String spec = new String(Base64.getDecoder().decode(encoded == null ? "" : encoded.toString()), StandardCharsets.UTF_8);
            Record r = new Record(file, text, p, Long.parseLong(p.getProperty("pid")), Instant.parse(p.getProperty("start")),
                    spec, new java.util.concurrent.atomic.AtomicReference<>());
            parsed.put(file, r);
            return Optional.of(r);
        } catch (IOException | RuntimeException e) {
            parsed.remove(file);
            return Optional.empty();
        }
    }
}

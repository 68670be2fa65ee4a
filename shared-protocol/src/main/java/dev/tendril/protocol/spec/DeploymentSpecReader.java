package dev.tendril.protocol.spec;

import dev.tendril.protocol.message.Names;

import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a deployment spec from a parsed YAML tree. Every problem is reported
 * (key, bad value, what is allowed); nothing is built from an invalid spec. The same check
 * runs in {@code tendrilctl} before sending and on the node before deploying.
 */
public final class DeploymentSpecReader {
    static final Pattern IMAGE = Pattern.compile(
            "([a-zA-Z0-9.-]+(:\\d{1,5})?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?");
    static final String IMAGE_FORMS = "an image reference such as tendril/httpd-demo:latest";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String DNS_LABEL = "a DNS label: 1-63 of a-z, 0-9, '-', not starting or ending with '-'";

    private DeploymentSpecReader() {
    }

    public static Validated<DeploymentSpec> read(Object document) {
        Problems problems = new Problems();
        TreeReader r = TreeReader.root(document, problems);
        r.rejectUnknown("service", "image", "images", "command", "ports", "env", "limits", "requirements", "qos",
                "policies", "root", "zone", "restart", "health");

        String service = r.string("service", DNS_LABEL);
        if (r.has("service") && !Names.isDnsLabel(service)) {
            r.bad("service", service, DNS_LABEL);
        }
        Optional<DeploymentSpec.Images> images = images(r);
        List<String> command = r.strings("command", "a command word");
        List<PortSpec> ports = ports(r);
        Map<String, String> env = r.stringMap("env", "a mapping of variable names to values");
        env.keySet().stream().filter(k -> !ENV_NAME.matcher(k).matches())
                .forEach(k -> r.bad("env." + k, k, "a variable name of A-Z, a-z, 0-9, '_', not starting with a digit"));
        DeploymentSpec.Limits limits = limits(r.object("limits", false, "a mapping {cpus, memory}"));
        DeploymentSpec.Requirements requirements = requirements(r.object("requirements", false,
                "a mapping {arch, minCpus, minRam, minGpus, minDisk}"));
        TreeReader qos = r.object("qos", false, "a mapping {maxLatencyMs}");
        qos.rejectUnknown("maxLatencyMs");
        int maxLatency = (int) qos.integer("maxLatencyMs", 0L, 0, 600_000);
        DeploymentSpec.Policies policies = policies(r.object("policies", false,
                "a mapping {idleTimeout, minInstances, thresholds}"));
        boolean root = r.bool("root", false);
        String zone = r.string("zone", "", "");
        if (!zone.isEmpty() && !isZone(zone)) {
            r.bad("zone", zone, "a domain name of DNS labels, e.g. svc.example.edge");
        }
        if (!root && zone.isEmpty()) {
            r.missing("zone", "the zone of the tree to join, or root: true to create a new tree");
        }
        RestartPolicy restart = restart(r);
        Optional<HealthCheck> health = HealthCheckReader.read(r, ports);
        crossCheck(r, images, requirements);
        if (!problems.isEmpty()) {
            return new Validated.Invalid<>(problems.messages());
        }
        return new Validated.Valid<>(new DeploymentSpec(service, images.orElseThrow(), command, ports, env, limits,
                requirements, maxLatency, policies, root, zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone,
                restart, health));
    }

    public static boolean isZone(String zone) {
        String z = zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
        if (z.isEmpty() || z.length() > 253) {
            return false;
        }
        for (String label : z.split("\\.", -1)) {
            if (!Names.isDnsLabel(label)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<DeploymentSpec.Images> images(TreeReader r) {
        boolean one = r.has("image");
        boolean many = r.has("images");
        if (one && many) {
            r.bad("images", "(both image and images)", "either image (one multi-arch image) or images (one per arch), not both");
            return Optional.empty();
        }
        if (!one && !many) {
            r.missing("image", "an image: image: <ref> (multi-arch) or images: {amd64: <ref>, arm64: <ref>}");
            return Optional.empty();
        }
        if (one) {
            String image = r.string("image", IMAGE_FORMS);
            if (!IMAGE.matcher(image).matches()) {
                r.bad("image", image, IMAGE_FORMS);
                return Optional.empty();
            }
            return Optional.of(DeploymentSpec.Images.of(image));
        }
        Map<String, String> raw = r.stringMap("images", "a mapping of arch to image, e.g. {amd64: web:1, arm64: web:1-arm}");
        Map<Arch, String> perArch = new EnumMap<>(Arch.class);
        boolean ok = !raw.isEmpty();
        if (raw.isEmpty()) {
            r.bad("images", "{}", "at least one arch: image entry");
        }
        for (Map.Entry<String, String> e : raw.entrySet()) {
            Optional<Arch> arch = Arch.parse(e.getKey());
            if (arch.isEmpty()) {
                r.bad("images." + e.getKey(), e.getKey(), "an arch: " + Arch.allowed());
                ok = false;
            } else if (!IMAGE.matcher(e.getValue()).matches()) {
                r.bad("images." + e.getKey(), e.getValue(), IMAGE_FORMS);
                ok = false;
            } else {
                perArch.put(arch.get(), e.getValue());
            }
        }
        return ok ? Optional.of(new DeploymentSpec.Images(Optional.empty(), perArch)) : Optional.empty();
    }

    private static List<PortSpec> ports(TreeReader r) {
        List<PortSpec> out = new java.util.ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hostPorts = new HashSet<>();
        for (TreeReader p : r.objects("ports", "a port {name, protocol, containerPort, hostPort}")) {
            p.rejectUnknown("name", "protocol", "containerPort", "hostPort");
            String name = p.string("name", DNS_LABEL + " (it names the SRV record _<name>._<protocol>)");
            boolean ok = p.has("name");
            if (ok && !Names.isDnsLabel(name)) {
                p.bad("name", name, DNS_LABEL);
                ok = false;
            }
            String protocol = p.string("protocol", "tcp", "tcp or udp");
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                p.bad("protocol", protocol, "tcp or udp");
                ok = false;
            }
            int before = p.problems().all().size();
            int containerPort = (int) p.integer("containerPort", null, 1, 65535);
            int hostPort = (int) p.integer("hostPort", (long) containerPort, 1, 65535);
            ok &= p.problems().all().size() == before;
            if (ok && !names.add(name)) {
                p.bad("name", name, "a port name used once per spec");
                ok = false;
            }
            if (ok && !hostPorts.add(protocol + "/" + hostPort)) {
                p.bad("hostPort", hostPort, "a host port used once per protocol");
                ok = false;
            }
            if (ok) {
                out.add(new PortSpec(name, protocol, containerPort, hostPort));
            }
        }
        return out;
    }

    private static DeploymentSpec.Limits limits(TreeReader r) {
        r.rejectUnknown("cpus", "memory");
        return new DeploymentSpec.Limits(r.number("cpus", 0.0, 0, 1024), r.size("memory", 0L));
    }

    private static DeploymentSpec.Requirements requirements(TreeReader r) {
        r.rejectUnknown("arch", "minCpus", "minRam", "minGpus", "minDisk");
        Set<Arch> archs = EnumSet.noneOf(Arch.class);
        List<String> names = r.strings("arch", "an arch: " + Arch.allowed());
        for (int i = 0; i < names.size(); i++) {
            Optional<Arch> a = Arch.parse(names.get(i));
            if (a.isPresent()) {
                archs.add(a.get());
            } else {
                r.bad("arch[" + i + "]", names.get(i), "one of " + Arch.allowed());
            }
        }
        return new DeploymentSpec.Requirements(archs, r.number("minCpus", 0.0, 0, 1024), r.size("minRam", 0L),
                (int) r.integer("minGpus", 0L, 0, 64), r.size("minDisk", 0L));
    }

    private static RestartPolicy restart(TreeReader r) {
        String text = r.string("restart", RestartPolicy.ALWAYS.yamlName(), RestartPolicy.ALLOWED);
        Optional<RestartPolicy> p = RestartPolicy.parse(text);
        if (p.isEmpty()) {
            r.bad("restart", text, RestartPolicy.ALLOWED);
        }
        return p.orElse(RestartPolicy.ALWAYS);
    }

    private static DeploymentSpec.Policies policies(TreeReader r) {
        r.rejectUnknown("idleTimeout", "minInstances", "thresholds");
        Duration idle = r.duration("idleTimeout", DeploymentSpec.Policies.DEFAULT.idleTimeout());
        int min = (int) r.integer("minInstances", 1L, 0, 10_000);
        Optional<Thresholds> thresholds = r.has("thresholds")
                ? Optional.of(Thresholds.read(r.object("thresholds", false, "a mapping {cpu, ram, gpu, disk}"), Thresholds.DEFAULT))
                : Optional.empty();
        return new DeploymentSpec.Policies(idle, min, thresholds);
    }

    private static void crossCheck(TreeReader r, Optional<DeploymentSpec.Images> images,
                                   DeploymentSpec.Requirements requirements) {
        if (images.isEmpty() || images.get().multiArch().isPresent()) {
            return;
        }
        for (Arch a : requirements.archs()) {
            if (!images.get().perArch().containsKey(a)) {
                r.bad("requirements.arch", a, "only archs that images names an image for: " + images.get().perArch().keySet());
            }
        }
    }
}

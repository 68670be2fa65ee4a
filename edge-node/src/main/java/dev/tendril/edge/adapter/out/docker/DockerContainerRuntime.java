package dev.tendril.edge.adapter.out.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.protocol.spec.PortSpec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs instances as Docker containers through the local engine (docker-java, zerodep
 * transport). Containers are named {@code tendril-<node>-<service>}, labelled
 * {@code dev.tendril.managed=true}, {@code dev.tendril.node}, {@code dev.tendril.service},
 * {@code dev.tendril.spec} (the spec text), run with an init process (so stop is fast even
 * for busybox) and publish their ports on the node's address. Images must be present
 * locally or pullable. With a network mode (e.g. {@code container:<the node's container>},
 * when the node itself runs in a container) they join that network instead and publish
 * nothing: their ports are then on the address of that network.
 */
public final class DockerContainerRuntime implements ContainerRuntime {
    public static final String LABEL_MANAGED = "dev.tendril.managed";
    public static final String LABEL_NODE = "dev.tendril.node";
    public static final String LABEL_SERVICE = "dev.tendril.service";
    public static final String LABEL_SPEC = "dev.tendril.spec";
    private static final int STOP_TIMEOUT_S = 2;

    private final DockerClient docker;
    private final Optional<String> networkMode;
    /** Network namespace per running container, learnt by one inspect each (see {@link #networkNamespaces}). */
    private final Map<String, ContainerNamespace> namespaces = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder inspects = new java.util.concurrent.atomic.LongAdder();

    private record ContainerNamespace(String nodeId, long pid, long inode) {
    }

    public DockerContainerRuntime(DockerClient docker) {
        this(docker, Optional.empty());
    }

    public DockerContainerRuntime(DockerClient docker, Optional<String> networkMode) {
        this.docker = docker;
        this.networkMode = networkMode;
    }

    /**
     * True when containers join another container's network namespace ({@code container:...},
     * the node's own when it runs in a container): they lose their network when it goes.
     */
    public boolean sharesNodeNetwork() {
        return networkMode.filter(m -> m.startsWith("container:")).isPresent();
    }

    /** Removes every container of {@code nodeId}; failures are logged, not thrown (used at shutdown). */
    public void removeNodeInstances(String nodeId) {
        for (Instance i : list()) {
            if (nodeId.equals(i.nodeId()) && remove(i.id()) instanceof RuntimeResult.Failed f) {
                org.slf4j.LoggerFactory.getLogger(DockerContainerRuntime.class)
                        .warn("{}: could not remove instance {} at shutdown: {}", nodeId, i.id(), f.reason());
            }
        }
    }

    /** A client for {@code dockerHost} (e.g. unix:///var/run/docker.sock). */
    public static DockerContainerRuntime connect(String dockerHost) {
        return connect(dockerHost, Optional.empty());
    }

    /** A client for {@code dockerHost} whose containers join {@code networkMode} when present. */
    public static DockerContainerRuntime connect(String dockerHost, Optional<String> networkMode) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(dockerHost))
                .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(60)).build();
        return new DockerContainerRuntime(DockerClientImpl.getInstance(config, http), networkMode);
    }

    public static String containerName(String nodeId, String service) {
        return "tendril-" + nodeId + "-" + service;
    }

    @Override
    public String kind() {
        return "docker";
    }

    /** True when the engine answers. */
    public boolean reachable() {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public RuntimeResult start(InstanceRequest r) {
        String name = containerName(r.nodeId(), r.service());
        try {
            if (!imagePresent(r.image())) {
                return new RuntimeResult.Failed("image '" + r.image() + "' is not on this machine (no registry is used: build or load it first)");
            }
            removeByName(name);
            List<ExposedPort> exposed = new ArrayList<>();
            Ports bindings = new Ports();
            for (PortSpec p : r.ports()) {
                ExposedPort e = new ExposedPort(p.containerPort(), InternetProtocol.parse(p.protocol()));
                exposed.add(e);
                bindings.bind(e, Ports.Binding.bindIpAndPort(r.bindAddress(), p.hostPort()));
            }
            HostConfig host = HostConfig.newHostConfig().withInit(true);
            if (networkMode.isPresent()) {
                host.withNetworkMode(networkMode.get()); // Docker refuses published ports in a shared network
                exposed.clear();
            } else {
                host.withPortBindings(bindings);
            }
            if (r.limits().memoryBytes() > 0) {
                host.withMemory(r.limits().memoryBytes());
            }
            if (r.limits().cpus() > 0) {
                host.withNanoCPUs((long) (r.limits().cpus() * 1e9));
            }
            CreateContainerCmd create = docker.createContainerCmd(r.image()).withName(name)
                    .withLabels(Map.of(LABEL_MANAGED, "true", LABEL_NODE, r.nodeId(), LABEL_SERVICE, r.service(),
                            LABEL_SPEC, r.specText()))
                    .withEnv(r.fullEnv().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withExposedPorts(exposed)
                    .withHostConfig(host);
            if (!r.command().isEmpty()) {
                create.withCmd(r.command());
            }
            String id = create.exec().getId();
            try {
                docker.startContainerCmd(id).exec();
            } catch (DockerException e) {
                docker.removeContainerCmd(id).withForce(true).exec();
                return new RuntimeResult.Failed("container for " + r.service() + " did not start: " + message(e));
            }
            return new RuntimeResult.Started(new Instance(id, r.nodeId(), r.service(), r.image(), true, r.specText()));
        } catch (DockerException e) {
            return new RuntimeResult.Failed("docker refused " + r.service() + ": " + message(e));
        } catch (RuntimeException e) {
            return new RuntimeResult.Failed("docker engine unreachable: " + e.getMessage());
        }
    }

    private boolean imagePresent(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private void removeByName(String name) {
        List<Container> old = docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec();
        for (Container c : old) {
            for (String n : c.getNames()) {
                if (n.equals("/" + name)) {
                    docker.removeContainerCmd(c.getId()).withForce(true).exec();
                }
            }
        }
    }

    @Override
    public RuntimeResult remove(String instanceId) {
        try {
            try {
                docker.stopContainerCmd(instanceId).withTimeout(STOP_TIMEOUT_S).exec();
            } catch (com.github.dockerjava.api.exception.NotModifiedException e) {
                // already stopped
            }
            docker.removeContainerCmd(instanceId).withForce(true).exec();
            return new RuntimeResult.Stopped(instanceId);
        } catch (NotFoundException e) {
            return new RuntimeResult.NotFound(instanceId);
        } catch (DockerException e) {
            return new RuntimeResult.Failed("docker could not remove " + instanceId + ": " + message(e));
        } catch (RuntimeException e) {
            return new RuntimeResult.Failed("docker engine unreachable: " + e.getMessage());
        }
    }

    @Override
    public List<Instance> list() {
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_MANAGED, "true")).exec();
        List<Instance> out = new ArrayList<>();
        for (Container c : containers) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            out.add(new Instance(c.getId(), labels.get(LABEL_NODE), labels.get(LABEL_SERVICE), c.getImage(),
                    "running".equals(c.getState()), labels.get(LABEL_SPEC)));
        }
        return out;
    }

    /**
     * The network namespaces (inode numbers, as the eBPF probe names them) of the running
     * containers of node {@code nodeId}. Called every second: one list call, and an inspect
     * only for a container not seen before or whose main process is gone (restarted: its
     * remembered pid no longer shows the same namespace in /proc). Empty when the engine does
     * not answer; a container that stops meanwhile is left out.
     */
    public Optional<Set<Long>> networkNamespaces(String nodeId) {
        try {
            List<Container> mine = docker.listContainersCmd()
                    .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_NODE, nodeId)).exec();
            Set<String> running = new HashSet<>();
            Set<Long> out = new HashSet<>();
            for (Container c : mine) {
                running.add(c.getId());
                ContainerNamespace known = namespaces.get(c.getId());
                if (known == null || namespaceOf(known.pid()) != known.inode()) {
                    known = inspectNamespace(nodeId, c.getId());
                }
                if (known != null) {
                    out.add(known.inode());
                }
            }
            namespaces.entrySet().removeIf(e -> e.getValue().nodeId().equals(nodeId) && !running.contains(e.getKey()));
            return Optional.of(out);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Inspect calls made by {@link #networkNamespaces} so far (tests: the steady state makes none). */
    long namespaceInspects() {
        return inspects.sum();
    }

    private ContainerNamespace inspectNamespace(String nodeId, String containerId) {
        inspects.increment();
        try {
            Long pid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
            long inode = pid == null || pid <= 0 ? -1 : namespaceOf(pid);
            if (inode < 0) {
                namespaces.remove(containerId);
                return null; // stopped meanwhile, or no procfs: not serving here
            }
            ContainerNamespace found = new ContainerNamespace(nodeId, pid, inode);
            namespaces.put(containerId, found);
            return found;
        } catch (NotFoundException e) {
            namespaces.remove(containerId);
            return null; // gone meanwhile
        }
    }

    /** The network namespace inode of process {@code pid}; -1 when it is gone or procfs cannot tell. */
    private static long namespaceOf(long pid) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid), "ns", "net"), "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static String message(DockerException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.strip();
    }
}

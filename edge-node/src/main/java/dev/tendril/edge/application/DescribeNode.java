package dev.tendril.edge.application;

import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.monitoring.hardware.GpuReading;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.hardware.LoadSummary;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.protocol.message.AdminMessage.DeploymentView;
import dev.tendril.protocol.message.AdminMessage.Figure;
import dev.tendril.protocol.message.AdminMessage.NodesReply;
import dev.tendril.protocol.message.AdminMessage.PlatformView;
import dev.tendril.protocol.message.AdminMessage.StatsReply;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** Use case: what {@code tendrilctl stats} and {@code nodes} show of this node. */
public final class DescribeNode {
    private final Platform self;
    private final InfrastructureDb infrastructure;
    private final HardwareMonitor monitor;
    private final Deployments deployments;
    private final Overlay overlay;
    private final Supplier<String> latencyProbeStatus;
    private final Supplier<List<Figure>> counters;
    private final Supplier<Map<String, String>> health;

    public DescribeNode(Platform self, InfrastructureDb infrastructure, HardwareMonitor monitor, Deployments deployments,
                        Overlay overlay, Supplier<String> latencyProbeStatus, Supplier<List<Figure>> counters) {
        this(self, infrastructure, monitor, deployments, overlay, latencyProbeStatus, counters, Map::of);
    }

    /**
     * @param health each watched instance's health in words, by service
     */
    public DescribeNode(Platform self, InfrastructureDb infrastructure, HardwareMonitor monitor, Deployments deployments,
                        Overlay overlay, Supplier<String> latencyProbeStatus, Supplier<List<Figure>> counters,
                        Supplier<Map<String, String>> health) {
        this.health = health;
        this.self = self;
        this.infrastructure = infrastructure;
        this.monitor = monitor;
        this.deployments = deployments;
        this.overlay = overlay;
        this.latencyProbeStatus = latencyProbeStatus;
        this.counters = counters;
    }

    public StatsReply stats() {
        LoadSummary load = monitor.summary();
        List<Figure> hw = new ArrayList<>();
        hw.add(new Figure("arch", self.hardware().arch().ociName()));
        hw.add(new Figure("cpus", fmt(self.hardware().cpus())));
        hw.add(new Figure("cpu.load.mean", fmt(load.cpu())));
        hw.add(new Figure("memory.used.mean", fmt(load.memory())));
        hw.add(new Figure("disk.used.mean", fmt(load.disk())));
        hw.add(new Figure("gpu.util.mean", fmt(load.gpu())));
        hw.add(new Figure("samples", Long.toString(load.samples())));
        hw.add(new Figure("failed.reads", Long.toString(load.failedReads())));
        String shortOf = ((load.cpuShort() ? "cpu " : "") + (load.memoryShort() ? "memory " : "")
                + (load.diskShort() ? "disk " : "") + (load.gpuShort() ? "gpu" : "")).strip();
        hw.add(new Figure("short", shortOf.isEmpty() ? "none" : shortOf)); // what the node is short of now
        List<String> gpus = new ArrayList<>();
        load.latest().ifPresent(r -> {
            hw.add(new Figure("memory.total.bytes", Long.toString(r.memoryTotalBytes())));
            hw.add(new Figure("memory.used.bytes", Long.toString(r.memoryUsedBytes())));
            hw.add(new Figure("disk.total.bytes", Long.toString(r.diskTotalBytes())));
            hw.add(new Figure("disk.used.bytes", Long.toString(r.diskUsedBytes())));
            hw.add(new Figure("gpu.count", Integer.toString(r.gpus().size())));
            for (GpuReading g : r.gpus()) {
                gpus.add(String.format(Locale.ROOT, "%d %s util %.2f memory %d/%d MiB", g.index(), g.name(), g.utilization(),
                        g.memoryUsedBytes() >> 20, g.memoryTotalBytes() >> 20));
            }
        });
        List<DeploymentView> views = new ArrayList<>();
        Map<String, String> healthByService = health.get();
        for (Deployment d : deployments.all()) {
            ServiceMembership.View v = overlay.get(d.service()).map(ServiceMembership::view)
                    .orElse(ServiceMembership.View.NONE);
            views.add(new DeploymentView(d.service(), d.instance().id(), d.instance().image(), d.instance().running(),
                    d.adopted(), v.parentId().orElse(""), v.childIds(), v.registered(), d.since().toEpochMilli(),
                    healthByService.getOrDefault(d.service(), "")));
        }
        List<Figure> all = new ArrayList<>(counters.get());
        all.add(new Figure("tree.unknown_service", Long.toString(overlay.unknownServiceCount())));
        for (ServiceMembership m : overlay.all()) {
            all.add(new Figure("overlay." + m.service() + ".orphan_reports", Long.toString(m.view().orphanReports())));
            all.add(new Figure("overlay." + m.service() + ".dropped_children", Long.toString(m.view().droppedChildren())));
        }
        return new StatsReply(self.id(), deployments.runtime().kind(), hw, gpus, views, latencyProbeStatus.get(), all);
    }

    public NodesReply nodes() {
        List<PlatformView> out = new ArrayList<>();
        for (Platform p : infrastructure.nearest(self.position(), Integer.MAX_VALUE)) {
            var h = p.hardware();
            out.add(new PlatformView(p.id(), p.name(), p.address(), p.position().latitude(), p.position().longitude(),
                    h.arch().ociName(), h.cpus(), h.ramBytes(), h.diskBytes(), h.gpus(), p.id().equals(self.id())));
        }
        return new NodesReply(out);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

}

package dev.tendril.edge.adapter.out.nvidia;

import dev.tendril.edge.monitoring.hardware.GpuReading;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NvidiaSmiGpuReaderTest {
    @Test
    void parsesNvidiaSmiCsv() {
        // output form of: nvidia-smi --query-gpu=index,name,utilization.gpu,memory.total,memory.used --format=csv,noheader,nounits
        List<GpuReading> gpus = NvidiaSmiGpuReader.parse("""
                0, NVIDIA H100 80GB HBM3, 37, 81559, 1024
                1, Tesla T4, [N/A], 15360, 0
                garbage line
                """);
        assertEquals(2, gpus.size());
        assertEquals(new GpuReading(0, "NVIDIA H100 80GB HBM3", 0.37, 81559L << 20, 1024L << 20), gpus.get(0));
        assertEquals(0.0, gpus.get(1).utilization());
        assertEquals("Tesla T4", gpus.get(1).name());
    }

    @Test
    void noNvidiaSmiMeansNoGpusAndItIsNotAskedAgain() {
        List<List<String>> calls = new ArrayList<>();
        NvidiaSmiGpuReader reader = new NvidiaSmiGpuReader(cmd -> {
            calls.add(cmd);
            return Optional.empty();
        });
        assertTrue(reader.read().isEmpty());
        assertTrue(reader.read().isEmpty());
        assertEquals(1, calls.size());
        assertEquals(NvidiaSmiGpuReader.COMMAND, calls.get(0));
    }
}

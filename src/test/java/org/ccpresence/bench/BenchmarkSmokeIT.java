package org.ccpresence.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A few seconds of every benchmark scenario against the packaged service, so that the harness cannot rot. Asserts
 * only that no event was lost (the run throws otherwise); timings are reported, never asserted.
 */
class BenchmarkSmokeIT {

    @Test
    void aShortRunLosesNoEvent() throws Exception {
        List<String> report = Benchmark.run("smoke");
        report.forEach(System.out::println);
        assertTrue(report.stream().anyMatch(line -> line.startsWith("c: sweep")), "the sweep scenario ran");
    }
}

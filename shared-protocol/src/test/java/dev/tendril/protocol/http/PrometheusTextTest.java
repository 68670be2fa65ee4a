package dev.tendril.protocol.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test parser accepts the format's own examples and refuses what Prometheus refuses. */
class PrometheusTextTest {
    @Test
    void parsesTheFormatsExamplesWithEscapesHistogramsAndSpecialValues() {
        String text = """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf -3982045
                # HELP d A histogram.\\nSecond line.
                # TYPE d histogram
                d_bucket{le="0.05"} 1
                d_bucket{le="0.5"} 2
                d_bucket{le="+Inf"} 3
                d_sum 0.9
                d_count 3
                """;
        PrometheusText p = PrometheusText.parse(text);
        assertEquals(1030.0, p.sum("http_requests_total", Map.of("method", "post")));
        assertEquals("C:\\DIR\\FILE.TXT", p.families().get("msdos_file_access_time_seconds").samples().get(0).labels().get("path"));
        assertEquals("Cannot find file:\n\"FILE.TXT\"", p.families().get("msdos_file_access_time_seconds").samples().get(0).labels().get("error"));
        assertEquals(Double.POSITIVE_INFINITY, p.sum("something_weird", Map.of()));
        assertEquals("histogram", p.families().get("d").type());
        assertEquals("A histogram.\nSecond line.", p.families().get("d").help());
        assertEquals(5, p.families().get("d").samples().size());
    }

    @Test
    void refusesWhatTheGrammarForbids() {
        for (String bad : new String[] {
            "9name 1\n",                                  // metric name
            "a{1b=\"x\"} 1\n",                            // label name
            "a{b=x} 1\n",                                 // unquoted value
            "a{b=\"x\\t\"} 1\n",                          // bad escape
            "a{b=\"x\"} one\n",                           // value
            "a 1 2 3\n",                                  // too many fields
            "a 1\nb 1\na{x=\"y\"} 2\n",                   // family lines apart
            "a 1\na 2\n",                                 // same series twice
            "a 1\n# TYPE a counter\n",                    // TYPE after samples
            "# TYPE a countr\n",                          // unknown type
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // not cumulative
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\n",                         // no +Inf
            "a 1",                                        // no final line feed
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(bad), bad);
            assertTrue(!e.getMessage().isBlank());
        }
    }
}

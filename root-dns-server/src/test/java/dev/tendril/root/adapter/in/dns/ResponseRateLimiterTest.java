package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.adapter.in.dns.ResponseRateLimiter.Kind;
import dev.tendril.root.adapter.in.dns.ResponseRateLimiter.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token buckets of the rate limiter on a hand-moved clock (milliseconds). */
class ResponseRateLimiterTest {
    private static final long T0 = 1_700_000_000_000L;

    private static DnsConfig.RateLimit limits(int rate, int window, int slip) {
        return new DnsConfig.RateLimit(true, rate, rate, rate, window, slip, 24, 56, List.of("198.51.100.0/24"), 1024, 16);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** n responses at one instant: their verdicts as a string, S D T (send, drop, truncated). */
    private static String burst(ResponseRateLimiter rrl, String client, Kind kind, int hash, int n, long now) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Verdict v = rrl.check(ip(client), kind, hash, now);
            out.append(v == Verdict.SEND ? 'S' : v == Verdict.DROP ? 'D' : 'T');
        }
        return out.toString();
    }

    @ParameterizedTest(name = "rate {0}, slip {1}: {2}")
    @CsvSource({
        "5, 2, SSSSSDTDTDT",
        "5, 1, SSSSSTTTTTT",
        "5, 0, SSSSSDDDDDD",
        "5, 3, SSSSSDDTDDT",
        "1, 2, SDTDTDTDTDT",
    })
    void aBurstIsSentUpToTheRateThenDroppedAndSlipped(int rate, int slip, String expected) throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(rate, 15, slip), 42);
        assertEquals(expected, burst(rrl, "192.0.2.1", Kind.ANSWER, 7, expected.length(), T0));
    }

    @Test
    void bucketsArePerPrefixAndPerKind() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(2, 15, 0), 42);
        assertEquals("SSDD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 4, T0));
        assertEquals("DD", burst(rrl, "192.0.2.200", Kind.ANSWER, 7, 2, T0), "same /24, same name and type");
        assertEquals("SS", burst(rrl, "192.0.3.1", Kind.ANSWER, 7, 2, T0), "another /24");
        assertEquals("SS", burst(rrl, "192.0.2.1", Kind.ANSWER, 8, 2, T0), "another name or type");
        assertEquals("SSD", burst(rrl, "192.0.2.1", Kind.NXDOMAIN, 7, 3, T0), "NXDOMAIN counted apart");
        assertEquals("SSD", burst(rrl, "192.0.2.1", Kind.ERROR, 1, 3, T0), "errors counted apart");
        assertEquals("D", burst(rrl, "192.0.2.1", Kind.ERROR, 2, 1, T0), "all errors in one bucket");
        assertEquals("SSDD", burst(rrl, "2001:db8:0:ff::1", Kind.ANSWER, 7, 4, T0));
        assertEquals("DD", burst(rrl, "2001:db8:0:1::9", Kind.ANSWER, 7, 2, T0), "same /56");
        assertEquals("SS", burst(rrl, "2001:db8:0:100::1", Kind.ANSWER, 7, 2, T0), "another /56");
    }

    @Test
    void aClockReadJustBehindTheBucketsTimeRefillsNothing() throws Exception {
        // two query threads (an I/O thread and the flood quarantine's, or two I/O threads) each
        // read the clock, and the one that read it later may store its time first
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(5, 15, 0), 42);
        assertEquals("SSSSSDD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 7, T0 + 10));
        assertEquals(Verdict.DROP, rrl.checkIfInDebt(ip("192.0.2.1"), Kind.ANSWER, 7, T0 + 9), "1 ms behind: still in debt");
        assertEquals("DDD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 3, T0 + 9), "1 ms behind");
        assertEquals("DDD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 3, T0 - 2_000), "2 s behind");
        long days30 = 30L * 24 * 3600 * 1000; // past 2^31 ms: the 32-bit time reads as behind, but it is long after
        assertEquals("SSSSSD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 6, T0 + days30), "a month later: a fresh burst");
    }

    @Test
    void exemptNetworksAreNeverLimited() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(1, 15, 0), 42);
        assertEquals("SSSSSS", burst(rrl, "198.51.100.7", Kind.ANSWER, 7, 6, T0));
    }

    @Test
    void exemptNetworksMatchByPrefixInEitherFamilyAndOnlyInTheirOwn() throws Exception {
        List<String> networks = List.of("10.0.0.0/8", "192.0.2.77/32", "2001:db8:40::/42", "2001:db8:ffff:1:2:3:4:5/128");
        for (String exempt : List.of("10.0.0.0", "10.255.255.255", "192.0.2.77", "2001:db8:40::1",
                "2001:db8:7f:ffff:ffff:ffff:ffff:ffff", "2001:db8:ffff:1:2:3:4:5",
                "::ffff:10.0.0.1")) { // an IPv4-mapped address is read as IPv4, as the listeners report it
            assertEquals("SSSS", burst(exempting(networks), exempt, Kind.ANSWER, 7, 4, T0), exempt);
        }
        // each on a fresh table: neighbours share a counted prefix (/24, /56) with the exempt ones
        for (String limited : List.of("11.0.0.0", "9.255.255.255", "192.0.2.76", "192.0.2.78", "2001:db8:80::",
                "2001:db8:3f:ffff::", "2001:db8:ffff:1:2:3:4:6", "::a00:1")) {
            assertEquals("SD", burst(exempting(networks), limited, Kind.ANSWER, 7, 2, T0), limited);
        }
        assertEquals("SSS", burst(exempting(List.of("0.0.0.0/0")), "203.0.113.9", Kind.ANSWER, 7, 3, T0),
                "an IPv4 /0 takes every IPv4 client");
        assertEquals("SD", burst(exempting(List.of("0.0.0.0/0")), "2001:db8::9", Kind.ANSWER, 7, 2, T0), "and no IPv6 one");
        assertEquals("SSS", burst(exempting(List.of("::/0")), "2001:db8::9", Kind.ANSWER, 7, 3, T0), "an IPv6 /0 every IPv6 one");
    }

    /** One response a second per kind, no slip, these networks exempt. */
    private static ResponseRateLimiter exempting(List<String> networks) {
        return new ResponseRateLimiter(new DnsConfig.RateLimit(true, 1, 1, 1, 15, 0, 24, 56, networks, 1024, 16), 42);
    }

    @Test
    void aRateOfZeroLeavesThatKindUnlimited() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(new DnsConfig.RateLimit(true, 1, 0, 1, 15, 0, 24, 56, List.of(), 1024, 16), 42);
        assertEquals("SSSSS", burst(rrl, "192.0.2.1", Kind.NXDOMAIN, 7, 5, T0));
        assertEquals("SD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 2, T0));
    }

    @Test
    void tokensAreEarnedBackAtTheRate() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(10, 15, 0), 42);
        assertEquals("SSSSSSSSSS", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 10, T0));
        assertEquals("D", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 1, T0 + 50), "half a token earned, one owed");
        // at +200 ms: two tokens earned, one was owed -> one to send
        assertEquals("SD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 2, T0 + 200));
        // the burst never exceeds one second of tokens, however long the pause
        assertEquals("SSSSSSSSSSD", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 11, T0 + 3_600_000));
    }

    @Test
    void aSustainedFloodGetsAtMostTheRateAndAFloodsDebtLastsAtMostTheWindow() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(10, 2, 0), 42);
        int sent = 0;
        for (int ms = 0; ms < 10_000; ms++) { // 1,000 queries/s for 10 s
            sent += rrl.check(ip("192.0.2.1"), Kind.ANSWER, 7, T0 + ms) == Verdict.SEND ? 1 : 0;
        }
        assertTrue(sent <= 10 + 10 * 10, "at most the burst plus the rate: " + sent);
        // quiet for the window (2 s of debt at 10/s): sending again
        assertEquals("S", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 1, T0 + 10_000 + 2_100));
    }

    @Test
    void theTableIsBoundedAndEvictsTheLeastRecentlyRefilled() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(1, 15, 0), 42);
        assertEquals(1024, rrl.capacity());
        assertEquals("SD", burst(rrl, "10.0.0.1", Kind.ANSWER, 7, 2, T0));
        // 5,000 other prefixes later (table of 1,024), the first one's entry is gone: a fresh bucket
        List<String> verdicts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            verdicts.add(burst(rrl, "10." + (i / 256 + 1) + "." + (i % 256) + ".1", Kind.ANSWER, 7, 1, T0 + 1 + i));
        }
        assertTrue(verdicts.stream().allMatch("S"::equals), "new prefixes always get their first answer");
        assertEquals("SD", burst(rrl, "10.0.0.1", Kind.ANSWER, 7, 2, T0 + 5_001));
    }

    @Test
    void theLookBeforeAnsweringOnlyTakesFromABucketInDebt() throws Exception {
        ResponseRateLimiter rrl = new ResponseRateLimiter(limits(2, 15, 2), 42);
        InetAddress c = ip("192.0.2.1");
        assertEquals(null, rrl.checkIfInDebt(c, Kind.ANSWER, 7, T0), "no bucket yet");
        assertEquals("S", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 1, T0));
        assertEquals(null, rrl.checkIfInDebt(c, Kind.ANSWER, 7, T0), "a token left: nothing taken");
        assertEquals("S", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 1, T0), "so the next check still sends");
        assertEquals(Verdict.DROP, rrl.checkIfInDebt(c, Kind.ANSWER, 7, T0));
        assertEquals(Verdict.SLIP, rrl.checkIfInDebt(c, Kind.ANSWER, 7, T0));
        assertEquals("D", burst(rrl, "192.0.2.1", Kind.ANSWER, 7, 1, T0), "the same bucket and slip count as check()");
        assertEquals(null, rrl.checkIfInDebt(c, Kind.NXDOMAIN, 7, T0), "another kind: another bucket");
        assertEquals(null, rrl.checkIfInDebt(c, Kind.ANSWER, 7, T0 + 3_000), "3 s later: the debt of 3 paid back and tokens again");
        ResponseRateLimiter exempt = new ResponseRateLimiter(limits(1, 15, 0), 42);
        assertEquals("SSS", burst(exempt, "198.51.100.1", Kind.ANSWER, 7, 3, T0));
        assertEquals(null, exempt.checkIfInDebt(ip("198.51.100.1"), Kind.ANSWER, 7, T0), "exempt");
    }
}

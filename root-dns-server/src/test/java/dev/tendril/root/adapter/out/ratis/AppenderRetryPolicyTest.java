package dev.tendril.root.adapter.out.ratis;

import org.apache.ratis.retry.MultipleLinearRandomRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The wait the leader's appender takes before its next try at a follower that failed
 * {@code errors} times in a row, as Ratis's {@code GrpcLogAppender} asks the policy for it.
 */
class AppenderRetryPolicyTest {
    private static long waitMillis(RetryPolicy policy, int errors) {
        return policy.handleAttemptFailure(() -> errors).getSleepTime().toLong(TimeUnit.MILLISECONDS);
    }

    @Test
    void aFollowerAwayForLongIsTriedAgainWithinThreeQuartersOfASecondForever() {
        RetryPolicy policy = MultipleLinearRandomRetry.parseCommaSeparated(RatisTopologyLog.APPENDER_RETRY_POLICY);
        for (int errors = 1; errors <= 10; errors++) {
            assertTrue(waitMillis(policy, errors) <= 1, "the quick tries: " + errors);
        }
        // after 30 failures Ratis's default waits 2.5-7.5 s; after ~1,030 its pairs run out and the wait is 0
        for (int errors : new int[] {11, 31, 100, 1_031, 1_000_000, Integer.MAX_VALUE - 1}) {
            for (int draw = 0; draw < 50; draw++) {
                long ms = waitMillis(policy, errors);
                assertTrue(ms >= 250 && ms <= 750, errors + " failures in a row: waits " + ms + " ms");
            }
        }
    }

    @Test
    void ratisDefaultIsWhatTheRootsReplace() {
        // if a Ratis upgrade changes its default, the reasoning in APPENDER_RETRY_POLICY's comment needs another look
        RetryPolicy ratis = MultipleLinearRandomRetry.parseCommaSeparated(RaftServerConfigKeys.Log.Appender.RETRY_POLICY_DEFAULT);
        assertTrue(waitMillis(ratis, 31) >= 2_500, "Ratis's default after 30 failures");
        assertEquals(0, waitMillis(ratis, 1_031),
                "Ratis's default once its pairs run out");
    }
}

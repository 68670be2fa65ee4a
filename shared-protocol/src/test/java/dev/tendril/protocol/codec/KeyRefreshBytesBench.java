package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Frame bytes (before CURVE) of one key refresh, before and after the digests, for listings of
 * 1 to 10,000 platform keys named {@code edge-NNNN}. Not a test; run it with
 * <pre>
 * mvn -q -o -pl shared-protocol -am test -Dtest=KeyRefreshBytesBench -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * The figures are in docs/security.md.
 */
class KeyRefreshBytesBench {
    @Test
    @EnabledIfSystemProperty(named = "bench", matches = "true")
    void printFrameBytesPerRefresh() {
        FrameCodec codec = FrameCodec.standard();
        SplittableRandom random = new SplittableRandom(1);
        System.out.println("keys | query before | listing before | query after | unchanged after | listing after");
        for (int n : new int[]{1, 10, 100, 1_000, 10_000}) {
            List<EnrolledKey> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                StringBuilder key = new StringBuilder();
                for (int j = 0; j < 40; j++) {
                    key.append(RootMessage.Z85_ALPHABET.charAt(random.nextInt(85)));
                }
                keys.add(new EnrolledKey(KeyRole.PLATFORM, String.format(Locale.ROOT, "edge-%04d", i), key.toString(),
                        1_700_000_000_000L + i));
            }
            KeyListing listing = KeyListing.withDigest(keys);
            System.out.printf(Locale.ROOT, "%d | %d | %d | %d | %d | %d%n", n,
                    bytes(codec, "edge-0001", new KeysQuery()), bytes(codec, "root-1", new KeyListing(keys)),
                    bytes(codec, "edge-0001", new KeysQuery(listing.digest())),
                    bytes(codec, "root-1", new KeysUnchanged(listing.digest())), bytes(codec, "root-1", listing));
        }
    }

    private static int bytes(FrameCodec codec, String from, RootMessage body) {
        return codec.encode(new Envelope(new MessageId(1, 2), "", from, 1_700_000_000_000L, body)).length;
    }
}

package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.protocol.refusal.RefusalLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PinnedPeerCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void onlyAPinnedCertificateIsAdmittedEitherWayAndEachRefusalIsCounted() throws Exception {
        X509Certificate group = TlsKeyFiles.generate(dir, "roots").certificate();
        X509Certificate next = TlsKeyFiles.generate(dir, "roots-next").certificate();
        X509Certificate stranger = TlsKeyFiles.generate(dir, "mallory").certificate();
        RefusalLog refusals = RefusalLog.perMinute(LoggerFactory.getLogger("pinned-test"), Clock.systemUTC());
        PinnedPeerCertificates trust = new PinnedPeerCertificates(List.of(group, next), refusals);

        assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {group}, "EC", (javax.net.ssl.SSLEngine) null));
        assertDoesNotThrow(() -> trust.checkServerTrusted(new X509Certificate[] {next}, "EC", (javax.net.ssl.SSLEngine) null));
        assertThrows(CertificateException.class,
                () -> trust.checkClientTrusted(new X509Certificate[] {stranger}, "EC", (javax.net.ssl.SSLEngine) null));
        assertThrows(CertificateException.class,
                () -> trust.checkServerTrusted(new X509Certificate[] {stranger, group}, "EC", (java.net.Socket) null));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[0], "EC"));
        assertEquals(3, refusals.total(PinnedPeerCertificates.REFUSED));
        // no issuer is named, so a stranger presents its certificate and is counted, not dropped by the TLS layer unseen
        assertEquals(0, trust.getAcceptedIssuers().length);
    }
}

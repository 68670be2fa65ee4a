package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.protocol.refusal.RefusalLog;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Trust for the Raft transport's mutual TLS: a peer (connecting or connected to) is admitted
 * only when the certificate it presents is one of {@code cluster.tls.peers}, compared byte
 * for byte (SHA-256 of its DER). No chain, name or date is checked: the certificates are
 * pinned, so whoever holds the private key of a listed certificate is a member, and nobody
 * else. Each refusal is counted and logged (once a minute per peer) as {@link #REFUSED}.
 */
final class PinnedPeerCertificates extends X509ExtendedTrustManager {
    /** The refusal reason: a TLS peer whose certificate is not pinned. */
    static final String REFUSED = "raft.refused_peers";

    private final Set<String> pinned;
    private final RefusalLog refusals;

    PinnedPeerCertificates(List<X509Certificate> peers, RefusalLog refusals) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("at least one peer certificate is needed");
        }
        this.pinned = peers.stream().map(TlsKeyFiles::fingerprint).collect(Collectors.toUnmodifiableSet());
        this.refusals = refusals;
    }

    private void check(X509Certificate[] chain, String peer, String side) throws CertificateException {
        if (chain == null || chain.length == 0) {
            refusals.refused(peer, REFUSED, side + " presented no certificate");
            throw new CertificateException("no certificate presented");
        }
        String fp = TlsKeyFiles.fingerprint(chain[0]);
        if (!pinned.contains(fp)) {
            // the fingerprint first: the refusal log keeps 120 characters of a detail
            refusals.refused(peer, REFUSED, "certificate " + fp + " is not in cluster.tls.peers (" + side + ")");
            throw new CertificateException("certificate " + fp + " is not pinned");
        }
    }

    /** The peer's address without its port: the refusal log keeps one line a minute per address (a port is new per connection). */
    private static String peer(SSLEngine engine) {
        return engine == null || engine.getPeerHost() == null ? "" : engine.getPeerHost();
    }

    private static String peer(Socket socket) {
        return socket == null ? "" : hostOf(socket.getRemoteSocketAddress());
    }

    /** A peer's address without its port (also {@link RaftCallGuard}'s key in the refusal log). */
    static String hostOf(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress()
                : Objects.toString(address, "");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, peer(engine), "a connecting peer");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, peer(engine), "the root connected to");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, peer(socket), "a connecting peer");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, peer(socket), "the root connected to");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "", "a connecting peer");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "", "the root connected to");
    }

    /**
     * None: the server then names no acceptable issuer, so a connecting peer presents whatever
     * certificate it has and an unpinned one reaches {@link #check} (counted and logged); with
     * issuers named, a stranger's key manager sends no certificate at all and the TLS layer
     * refuses it before any check sees it.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

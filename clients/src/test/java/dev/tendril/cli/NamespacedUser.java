package dev.tendril.cli;

import jnr.ffi.LibraryLoader;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An emulated user's HTTP fetches from a thread of the runner's own JVM that entered the user's
 * network namespace, instead of one {@code ip netns exec ... curl} process per fetch.
 *
 * <p>Why: on topology D the 30 users fetch 20 times a second, and each fetch started a curl
 * (about 30 shared libraries to map and link) behind {@code ip netns exec}: in a C set the
 * niced processes (curl the most seen) took 19-22 % of both cores and system time another ~10
 * points more than after this change, while all edge and root JVMs together took about 7 %. A user stands for a host elsewhere; that load is
 * the testbed's, and it sat under every step the runs time. Here a user's thread calls
 * {@code setns(CLONE_NEWNET)} once (a network namespace can be entered per thread), lowers its
 * own priority to nice 19 as the curl had, and then makes each fetch as curl did: a new TCP
 * connection from the user's address, an HTTP/1.0 GET, the answer read to its end, success
 * for a 2xx or 3xx status ({@code curl -f}), within a bound like {@code --max-time}. The nodes
 * see the same connections (the eBPF probe measures their round trips in the kernel's TCP).
 *
 * <pre>{@code
 * NamespacedUser.enter(net.namespace("u1"));      // this thread only, for the rest of its life
 * boolean ok = NamespacedUser.get("10.1.1.10", "10.9.0.3", 8080, Duration.ofSeconds(3));
 * }</pre>
 */
final class NamespacedUser {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int PRIO_PROCESS = 0;
    private static final Path NETNS = Path.of("/var/run/netns");

    /** The few libc calls needed: entering a namespace by its file, and a thread's nice value. */
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        int setns(int fd, int nstype);

        int setpriority(int which, int who, int prio);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final ThreadLocal<String> ENTERED = new ThreadLocal<>();

    private NamespacedUser() {
    }

    /**
     * Moves the calling thread into the named network namespace ({@code ip netns} name) and
     * to nice 19, for the rest of its life; what it connects to after is reached from there.
     * Throws IOException when the kernel refuses (then the thread stays where it was).
     */
    static void enter(String namespace) throws IOException {
        Path file = NETNS.resolve(namespace);
        if (!Files.exists(file)) {
            throw new IOException("no network namespace " + namespace + " (" + file + ")");
        }
        int fd = LIBC.open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("open " + file + " failed");
        }
        try {
            if (LIBC.setns(fd, CLONE_NEWNET) != 0) {
                throw new IOException("setns into " + namespace + " refused (needs CAP_SYS_ADMIN)");
            }
        } finally {
            LIBC.close(fd);
        }
        ENTERED.set(namespace);
        // the thread's own nice value (Linux: PRIO_PROCESS with a thread id); a refusal leaves it as it was
        LIBC.setpriority(PRIO_PROCESS, threadId(), 19);
    }

    /** The namespace this thread entered with {@link #enter}, or null. */
    static String entered() {
        return ENTERED.get();
    }

    /**
     * One fetch of {@code http://host:port/} from {@code from}, a new connection: true for a
     * 2xx or 3xx status read to the end of the answer within {@code limit}, false for any other
     * status, a refused or timed-out connection, or an answer cut short.
     */
    static boolean get(String from, String host, int port, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(host, port), (int) limit.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + ":" + port + "\r\nUser-Agent: tendril-user\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder head = new StringBuilder();
            int n;
            while (true) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    return false;
                }
                s.setSoTimeout(left);
                n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (head.length() < 16) {
                    head.append(new String(buf, 0, Math.min(n, 16), StandardCharsets.US_ASCII));
                }
            }
            // "HTTP/1.x 200 ...": the status's first digit
            return head.length() >= 10 && head.indexOf("HTTP/") == 0 && (head.charAt(9) == '2' || head.charAt(9) == '3');
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The single A record {@code server}:{@code port} answers for {@code name} to one query sent
     * from {@code from}, as {@code dig +short +tries=1 -b from @server -p port name A} prints it:
     * one UDP query with recursion desired and EDNS (1,232 bytes, a client cookie, as dig 9.18
     * sends), one wait of at most {@code limit}; "" for no answer, an error code or not exactly
     * one A record in the answer section.
     */
    static String resolveA(String from, String server, int port, String name, Duration limit) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            Message query = Message.newQuery(Record.newRecord(
                    Name.fromString(name.endsWith(".") ? name : name + "."), Type.A,
                    DClass.IN));
            byte[] clientCookie = new byte[8];
            ThreadLocalRandom.current().nextBytes(clientCookie);
            query.addRecord(new OPTRecord(1232, 0, 0, 0,
                    List.of(new CookieOption(clientCookie))), Section.ADDITIONAL);
            byte[] wire = query.toWire();
            s.send(new DatagramPacket(wire, wire.length, new InetSocketAddress(server, port)));
            long deadline = System.nanoTime() + limit.toNanos();
            byte[] buf = new byte[4096];
            while (true) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    return "";
                }
                s.setSoTimeout(left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                Message answer;
                try {
                    answer = new Message(Arrays.copyOf(p.getData(), p.getLength()));
                } catch (IOException malformed) {
                    continue; // not an answer to this query: keep waiting, as dig does
                }
                if (answer.getHeader().getID() != query.getHeader().getID()) {
                    continue;
                }
                if (answer.getRcode() != Rcode.NOERROR) {
                    return "";
                }
                List<String> addresses = answer.getSection(Section.ANSWER).stream()
                        .filter(r -> r instanceof ARecord)
                        .map(r -> ((ARecord) r).getAddress().getHostAddress()).toList();
                return addresses.size() == 1 ? addresses.get(0) : "";
            }
        } catch (IOException e) {
            return ""; // timed out, refused, or the address is not this namespace's
        }
    }

    /** This thread's id in the kernel, from {@code /proc/thread-self} (a link to {@code <pid>/task/<tid>}). */
    private static int threadId() {
        try {
            Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Integer.parseInt(link.getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            return 0; // 0: the calling thread for setpriority
        }
    }
}

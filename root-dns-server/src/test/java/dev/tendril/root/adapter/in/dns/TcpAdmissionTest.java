package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpAdmissionTest {
    @Test
    void capsPerClientAndInTotalAndForgetsClosedConnections() throws Exception {
        TcpAdmission a = new TcpAdmission(3, 2);
        InetAddress one = InetAddress.getByName("192.0.2.1");
        InetAddress two = InetAddress.getByName("192.0.2.2");
        InetAddress three = InetAddress.getByName("2001:db8::3");
        assertNull(a.admit(one));
        assertNull(a.admit(one));
        String perClient = a.admit(one);
        assertNotNull(perClient);
        assertTrue(perClient.contains("dns.tcpMaxConnectionsPerClient"), perClient);
        assertNull(a.admit(two));
        String total = a.admit(three);
        assertNotNull(total);
        assertTrue(total.contains("dns.tcpMaxConnections"), total);
        assertEquals(3, a.open());
        a.release(one);
        assertNull(a.admit(three), "a slot is free again");
        a.release(one);
        a.release(two);
        a.release(three);
        assertEquals(0, a.open());
        assertEquals(0, a.clients(), "no entry is kept for addresses without a connection");
    }
}

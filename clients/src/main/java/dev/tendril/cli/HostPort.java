package dev.tendril.cli;

/** Parses the host:port arguments of --node and --root. */
final class HostPort {
    private HostPort() {
    }

    /** tcp://host:port, or null when the text is not host:port with a port in [1, 65535]. */
    static String endpoint(String hostPort) {
        if (hostPort == null) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            return null;
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) {
                return null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return "tcp://" + hostPort;
    }
}

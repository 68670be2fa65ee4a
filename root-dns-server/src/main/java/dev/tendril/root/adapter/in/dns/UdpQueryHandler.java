package dev.tendril.root.adapter.in.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** Netty UDP listener: one datagram in, at most one datagram out, answered on the event loop. */
@ChannelHandler.Sharable
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final DnsQueryHandler chain;
    private final DnsMetrics metrics;

    UdpQueryHandler(DnsQueryHandler chain, DnsMetrics metrics) {
        this.chain = chain;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        byte[] wire = ByteBufUtil.getBytes(content);
        byte[] out = chain.handle(wire, packet.sender().getAddress(), false);
        if (out != null) {
            ByteBuf reply = ctx.alloc().directBuffer(out.length).writeBytes(out); // epoll sends from direct memory
            ctx.write(new DatagramPacket(reply, packet.sender()), ctx.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a send error (e.g. ICMP unreachable) must not close the shared socket
        if (!(cause instanceof java.io.IOException)) {
            metrics.countUnexpectedError();
        }
    }
}

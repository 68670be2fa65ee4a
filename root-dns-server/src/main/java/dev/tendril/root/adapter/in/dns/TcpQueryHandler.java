package dev.tendril.root.adapter.in.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;

import java.net.InetSocketAddress;

/**
 * Netty TCP listener stage: each frame (2-byte length stripped by the frame decoder) is one
 * query; answers go back in order, in full (up to 65535 bytes), framed by the length
 * prepender. Several queries per connection; an idle connection is closed.
 */
@ChannelHandler.Sharable
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final DnsQueryHandler chain;
    private final DnsMetrics metrics;

    TcpQueryHandler(DnsQueryHandler chain, DnsMetrics metrics) {
        this.chain = chain;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        metrics.countTcpConnection();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        byte[] wire = ByteBufUtil.getBytes(frame);
        byte[] out = chain.handle(wire, ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(), true);
        if (out != null) {
            ctx.write(Unpooled.wrappedBuffer(out), ctx.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            metrics.countUnexpectedError();
        }
        ctx.close();
    }
}

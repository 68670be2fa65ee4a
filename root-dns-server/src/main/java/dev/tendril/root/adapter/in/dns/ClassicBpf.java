package dev.tendril.root.adapter.in.dns;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The classic BPF opcodes the port's SO_REUSEPORT programs use (linux/filter.h,
 * linux/bpf_common.h) and their encoding as {@code struct sock_filter[]}, for
 * {@link ClientPrefixSteering} and {@link FloodQuarantine}.
 */
final class ClassicBpf {
    static final int LD_W_ABS = 0x20;
    static final int LD_H_ABS = 0x28;
    static final int LD_B_ABS = 0x30;
    static final int LD_MEM = 0x60;
    static final int LDX_MEM = 0x61;
    static final int ST = 0x02;
    static final int ALU_ADD_X = 0x0c;
    static final int ALU_MUL_K = 0x24;
    static final int ALU_AND_K = 0x54;
    static final int ALU_RSH_K = 0x74;
    static final int ALU_MOD_K = 0x94;
    static final int JMP_JA = 0x05;
    static final int JMP_JEQ_K = 0x15;
    static final int RET_K = 0x06;
    static final int RET_A = 0x16;
    static final int TAX = 0x07;
    static final int TXA = 0x87;
    /** SKF_NET_OFF: loads at this offset and beyond read from the network header (a reuseport program's data starts at the UDP payload). */
    static final int NET = 0xFFF00000;

    private ClassicBpf() {
    }

    /** {@code code} ({code, jt, jf, k} each) as {@code struct sock_filter[]}: 8 bytes an instruction, native byte order. */
    static ByteBuffer encode(List<int[]> code) {
        ByteBuffer out = ByteBuffer.allocateDirect(code.size() * 8).order(ByteOrder.nativeOrder());
        for (int[] ins : code) {
            out.putShort((short) ins[0]).put((byte) ins[1]).put((byte) ins[2]).putInt(ins[3]);
        }
        return out.flip();
    }
}

package dev.tendril.root.application.port.out;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.RootsStatus;

/** Port: the roots' own group (Raft membership), as {@code tendrilctl roots} sees and changes it. */
public interface GroupMembership {
    /** This root's view of the group. */
    RootsStatus status();

    /** Makes the given roots the members: Ack once committed; NOT_LEADER on a follower; INVALID/INTERNAL when refused. */
    RootMessage change(ChangeRoots request);
}

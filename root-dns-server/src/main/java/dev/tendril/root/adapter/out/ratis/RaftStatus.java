package dev.tendril.root.adapter.out.ratis;

import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.server.RaftServer;

import java.util.ArrayList;
import java.util.List;

/**
 * One root's view of its Raft group.
 *
 * @param self         this root's peer id
 * @param role         LEADER, FOLLOWER, CANDIDATE or LISTENER
 * @param leader       the leader's peer id ("" when none is known)
 * @param term         the current term
 * @param commitIndex  the last log index known committed
 * @param appliedIndex the last log index applied to this root's store
 * @param followers    on the leader: each follower's replicated (match) index; empty elsewhere
 */
public record RaftStatus(String self, String role, String leader, long term, long commitIndex, long appliedIndex,
                         List<Follower> followers) {

    /** @param matchIndex the follower's last log index the leader knows it holds */
    public record Follower(String id, long matchIndex, long lastContactMillis) {
    }

    static RaftStatus of(RaftServer.Division d, String self) {
        RoleInfoProto role = d.getInfo().getRoleInfoProto();
        List<Follower> followers = new ArrayList<>();
        if (d.getInfo().isLeader()) {
            long[] match = d.getInfo().getFollowerMatchIndices();
            List<ServerRpcProto> infos = role.getLeaderInfo().getFollowerInfoList();
            for (int i = 0; i < infos.size() && i < match.length; i++) {
                followers.add(new Follower(infos.get(i).getId().getId().toStringUtf8(), match[i],
                        infos.get(i).getLastRpcElapsedTimeMs()));
            }
        }
        var leader = d.getInfo().getLeaderId();
        return new RaftStatus(self, d.getInfo().getCurrentRole().name(), leader == null ? "" : leader.toString(),
                d.getInfo().getCurrentTerm(), d.getRaftLog().getLastCommittedIndex(), d.getInfo().getLastAppliedIndex(),
                followers);
    }
}

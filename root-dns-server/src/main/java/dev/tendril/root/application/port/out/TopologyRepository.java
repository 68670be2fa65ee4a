package dev.tendril.root.application.port.out;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Port: the durable store of service trees, their nodes and migration records.
 *
 * <p>One writer at a time (the root's control thread); implementations need not support
 * concurrent callers beyond that. Every write happens inside {@link #inTransaction}; when
 * {@code inTransaction} returns, the writes are durable (they survive {@code kill -9} of the
 * process, and with full sync a power cut). Node ids are unique per service; the same
 * platform id may appear in several trees.
 *
 * <p>Failures of the underlying store are thrown as {@link TopologyStoreException}.
 */
public interface TopologyRepository extends AutoCloseable {

    /**
     * Runs {@code work} as one transaction and commits it durably before returning its value.
     * If {@code work} throws, none of its writes are kept and the exception propagates.
     * A call inside {@code work} joins the outer transaction.
     */
    <T> T inTransaction(Supplier<T> work);

    // --- trees

    /** Creates an empty tree; false when it already existed. */
    boolean createTree(String service, long createdAtMillis);

    boolean treeExists(String service);

    /** All tree names, sorted. */
    List<String> services();

    // --- nodes

    Optional<TreeNode> node(String service, String nodeId);

    /**
     * Inserts the node or replaces the stored node with the same (service, node id);
     * the child counts of its old and new parent follow.
     */
    void saveNode(TreeNode node);

    /** Removes the node; false when unknown. Its children keep their parent id: re-parent them first. */
    boolean removeNode(String service, String nodeId);

    /** The nodes of one tree, sorted by node id. */
    List<TreeNode> nodes(String service);

    /** The nodes whose parent is {@code parentId}, sorted by node id. */
    List<TreeNode> children(String service, String parentId);

    /** How many nodes name {@code nodeId} as their parent. */
    int childCount(String service, String nodeId);

    /**
     * The live node of the tree nearest to {@code near} by great-circle distance that has
     * fewer than {@code fanOut} children and is not in {@code excluded}; ties go to the
     * smaller node id. Empty when there is none.
     */
    Optional<TreeNode> nearestLiveWithRoom(String service, GeoPoint near, int fanOut, Set<String> excluded);

    // --- migrations

    /** Inserts the record or replaces the one for the same (service, clients). */
    void saveMigration(Migration migration);

    /** Removes the record for exactly this subnet; false when unknown. */
    boolean removeMigration(String service, Cidr clients);

    /** The records of one service ("" = all services), expired or not, sorted by service then subnet. */
    List<Migration> migrations(String service);

    /** Removes and returns the records of {@code service} whose target is {@code nodeId}. */
    List<Migration> removeMigrationsTargeting(String service, String nodeId);

    /** Removes and returns the records that expired at or before {@code nowMillis}. */
    List<Migration> removeExpiredMigrations(long nowMillis);

    // --- counts (for quotas; the defaults derive them from the listings, stores answer them cheaply)

    /** Nodes in the tree of {@code service}, live or down. */
    default int nodeCount(String service) {
        return nodes(service).size();
    }

    /** Trees that name {@code nodeId} (a platform id) as one of their nodes. */
    default int treesOf(String nodeId) {
        return (int) services().stream().filter(s -> node(s, nodeId).isPresent()).count();
    }

    /** Migration records of one service ("" = all services), expired or not. */
    default int migrationCount(String service) {
        return migrations(service).size();
    }

    /** Whether a record for exactly this subnet of {@code service} is stored. */
    default boolean hasMigration(String service, Cidr clients) {
        return migrations(service).stream().anyMatch(m -> m.clients().equals(clients));
    }

    @Override
    void close();
}

package dev.tendril.edge.deployment;

import java.util.List;

/** Outcome of deploying a spec on this node. */
public sealed interface DeployResult {
    record Deployed(Deployment deployment) implements DeployResult {
    }

    /** The same spec is already deployed here: nothing was done. */
    record AlreadyDeployed(Deployment deployment) implements DeployResult {
    }

    /** The spec cannot be hosted here; nothing was started. */
    record Rejected(List<String> problems) implements DeployResult {
        public Rejected {
            problems = List.copyOf(problems);
        }
    }

    /** The runtime failed to start it; nothing is left running. */
    record Failed(String reason) implements DeployResult {
    }
}

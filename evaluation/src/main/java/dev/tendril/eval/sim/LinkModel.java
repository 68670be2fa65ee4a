package dev.tendril.eval.sim;

import java.time.Duration;

/** Port of the simulated network: the one-way delay between two endpoints (node ids, user addresses, "root"). */
public interface LinkModel {
    String ROOT = "root";

    Duration oneWay(String from, String to);
}

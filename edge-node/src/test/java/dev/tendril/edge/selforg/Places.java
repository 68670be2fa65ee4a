package dev.tendril.edge.selforg;

/** Positions of the thesis scenario and around. */
final class Places {
    static final double[] MUNICH = {48.1374, 11.5755};
    static final double[] GARCHING = {48.2489, 11.6532};
    static final double[] MOUNTAIN_VIEW = {37.3861, -122.0839};
    static final double[] PALO_ALTO = {37.4419, -122.1430};
    static final double[] TOKYO = {35.6762, 139.6503};
    static final double[] AUGSBURG = {48.3705, 10.8978};
    static final double[] ERDING = {48.3064, 11.9076};
    static final double[] EBERSBERG = {48.0770, 11.9706};
    static final double[] FRANKFURT = {50.1109, 8.6821};

    private Places() {
    }
}

package dev.tendril.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table with aligned columns (readable in a terminal and in docs/). */
public final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c instanceof Double d ? fmt(d) : String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    public static String fmt(double d) {
        if (Double.isNaN(d)) {
            return "-";
        }
        return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }

    @Override
    public String toString() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, w);
        b.append('|');
        for (int x : w) {
            b.append("-".repeat(x + 2)).append('|');
        }
        b.append('\n');
        rows.forEach(r -> line(b, r, w));
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] w) {
        b.append('|');
        for (int i = 0; i < w.length; i++) {
            b.append(' ').append(cells.get(i)).append(" ".repeat(w[i] - cells.get(i).length())).append(" |");
        }
        b.append('\n');
    }
}

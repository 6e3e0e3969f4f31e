package dev.mobilebert.jobs.report;

import java.util.List;
import java.util.Map;

/** The few HTML pieces the report needs, escaped. */
final class Html {
    private final StringBuilder sb = new StringBuilder();

    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    Html raw(String s) {
        sb.append(s);
        return this;
    }

    Html tag(String tag, Object text) {
        sb.append('<').append(tag).append('>').append(esc(text)).append("</").append(tag).append(">\n");
        return this;
    }

    Html tag(String tag, String cssClass, Object text) {
        sb.append('<').append(tag).append(" class=\"").append(cssClass).append("\">").append(esc(text)).append("</").append(tag).append(">\n");
        return this;
    }

    /** A table with a header row; cells are escaped. */
    Html table(String cssClass, List<String> header, List<List<Object>> rows) {
        sb.append("<table class=\"").append(cssClass).append("\">\n<tr>");
        for (String h : header) sb.append("<th>").append(esc(h)).append("</th>");
        sb.append("</tr>\n");
        for (List<Object> r : rows) {
            sb.append("<tr>");
            for (Object cell : r) sb.append("<td>").append(esc(format(cell))).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
        return this;
    }

    Html keyValues(String cssClass, Map<String, ?> map) {
        return table(cssClass, List.of("key", "value"), map.entrySet().stream().map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());
    }

    static String format(Object o) {
        if (o instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf(d.longValue());
            return Math.abs(d) >= 0.001 || d == 0 ? String.format("%.4f", d) : String.format("%.3e", d);
        }
        if (o instanceof Float f) return format(f.doubleValue());
        return String.valueOf(o);
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}

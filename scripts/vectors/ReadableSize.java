// Derives tests/data/readable-size-vectors.json from the JDK: a byte count shown the way
// CloudStack's usage descriptions show sizes — "(<size in the largest unit> ) <bytes>", the unit
// part printed by java.util.Formatter "%.2f" (TB: "%.4f") of a float quotient, the default
// locale's digits (en_US here). Run: bash scripts/vectors/derive-readable-size.
import java.util.Formatter;
import java.util.Locale;
import java.util.Random;

public class ReadableSize {
    static final long KB = 1024L, MB = KB * 1024, GB = MB * 1024, TB = GB * 1024;

    // The unit part, from its definition (bytes below 1 KiB as-is, else the quotient in floats).
    static String unit(long bytes) {
        if (bytes < KB) {
            return bytes + " bytes";
        }
        StringBuilder sb = new StringBuilder();
        Formatter f = new Formatter(sb, Locale.getDefault());
        if (bytes < MB) f.format("%.2f KB", (float) bytes / (float) KB);
        else if (bytes < GB) f.format("%.2f MB", (float) bytes / (float) MB);
        else if (bytes < TB) f.format("%.2f GB", (float) bytes / (float) GB);
        else f.format("%.4f TB", (float) bytes / (float) TB);
        f.close();
        return sb.toString();
    }

    public static void main(String[] args) {
        java.util.List<Long> sizes = new java.util.ArrayList<>();
        long[] fixed = {0L, 1L, 512L, 1023L, 1024L, 1025L, 1536L, 1_000_000L, 1_048_575L, 1_048_576L,
            5_242_880L, 10_737_418L, 104_857_600L, 1_073_741_823L, 1_073_741_824L, 2_147_483_648L,
            5_368_709_120L, 21_474_836_480L, 20_000_000_000L, 53_687_091_200L, 107_374_182_400L,
            1_099_511_627_775L, 1_099_511_627_776L, 2_199_023_255_552L, 5_000_000_000_000L, 1_234_567L,
            13_107L, 1_289L, 5_253_365L, 9_223_372_036_854_775_807L};
        for (long s : fixed) sizes.add(s);
        // Sizes whose unit quotient lands near a rounding tie at the second decimal.
        long[] units = {KB, MB, GB};
        for (long u : units) {
            for (int k = 1; k <= 40; k++) sizes.add((long) (u * (k + 0.005)));
            for (int k = 1; k <= 40; k++) sizes.add((long) (u * (k * 0.125)));
        }
        Random r = new Random(22);
        for (int i = 0; i < 300; i++) {
            int digits = 1 + r.nextInt(14);
            long s = (long) Math.floor(Math.pow(10, digits - 1 + r.nextDouble()));
            sizes.add(s);
        }
        StringBuilder out = new StringBuilder("[\n");
        for (int i = 0; i < sizes.size(); i++) {
            long s = sizes.get(i);
            out.append(String.format("  {\"bytes\": %d, \"shown\": \"(%s) %d\"}%s%n", s, unit(s), s,
                i + 1 < sizes.size() ? "," : ""));
        }
        out.append("]");
        System.out.println(out);
    }
}

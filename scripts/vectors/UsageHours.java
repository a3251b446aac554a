// Derives the usage-hours vectors in tests/data/usage-hours-vectors.json from the JDK itself:
// hours as CloudStack's usage parsers compute them (single precision), and their display
// through java.text.DecimalFormat("#.######"). Run: bash scripts/vectors/derive-usage-hours.
import java.text.DecimalFormat;

public class UsageHours {
    public static void main(String[] args) {
        long[] millis = {0L, 1L, 999L, 1000L, 59_999L, 60_000L, 60_001L, 1_000_000L, 1_200_000L, 1_200_001L,
            1_800_001L, 2_700_001L, 3_599_999L, 3_600_000L, 3_600_001L, 5_400_001L, 8_100_001L, 9_000_001L,
            28_800_001L, 43_200_000L, 52_200_001L, 57_600_001L, 72_000_001L, 86_399_999L, 86_400_000L,
            86_400_001L, 172_800_000L, 2_678_400_000L, 31_536_000_000L, 123_456_789L, 7L, 100L, 28_125L};
        StringBuilder out = new StringBuilder("[\n");
        for (int i = 0; i < millis.length; i++) {
            float hours = millis[i] / 1000f / 60f / 60f;
            String display = new DecimalFormat("#.######").format(hours);
            out.append(String.format("  {\"millis\": %d, \"raw_usage\": \"%s\", \"display\": \"%s Hrs\"}%s%n",
                millis[i], Double.toString((double) hours), display, i + 1 < millis.length ? "," : ""));
        }
        out.append("]");
        System.out.println(out);
    }
}

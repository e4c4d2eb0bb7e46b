package dev.modelc.runtime.train;

/**
 * PyTorch's {@code LinearLR} checks of its two factors, shared by the factory ({@link Schedule#linear}, whose callers
 * know them as {@code start_factor} and {@code end_factor}) and the text form ({@link ScheduleText}, whose users
 * wrote {@code start=} and {@code end=}): one range each, worded with the name the caller used and, when that is not
 * LinearLR's own, LinearLR's name beside it.
 */
final class LinearFactors {
    private LinearFactors() {}

    /**
     * Throws when a factor is out of LinearLR's range: the start in (0, 1], the end in [0, 1], so the rate stays
     * between 0 and the base. {@code startKey}/{@code endKey} name the factors as the caller wrote them,
     * {@code startText}/{@code endText} their values as written.
     */
    static void check(double start, String startKey, String startText, double end, String endKey, String endText) {
        if (!(start > 0 && start <= 1)) {
            throw new IllegalArgumentException(startKey + " must be greater than 0 and at most 1"
                    + pytorchName(startKey, "start_factor") + ", got " + startText);
        }
        if (!(end >= 0 && end <= 1)) {
            throw new IllegalArgumentException(endKey + " must be between 0 and 1" + pytorchName(endKey, "end_factor")
                    + ", got " + endText);
        }
    }

    private static String pytorchName(String key, String pytorch) {
        return key.equals(pytorch) ? "" : " (LinearLR's " + pytorch + ")";
    }
}

package org.ccpresence.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Legal but probably mistaken presences: a presence text that reads like one base status while the presence is
 * mapped to another (e.g. "Available – Training" on OFFLINE). People read the text; routing reads the base status.
 */
public final class PresenceWarnings {

    /** "Busy – DND" reads as do-not-disturb, wherever the DND is. */
    private static final Pattern DND = Pattern.compile("\\b(dnd|do not disturb)\\b", Pattern.CASE_INSENSITIVE);
    /** Otherwise the first of these words says which status a person would read. */
    private static final Pattern STATUS_WORD = Pattern.compile("\\b(available|busy|away|offline)\\b", Pattern.CASE_INSENSITIVE);

    private PresenceWarnings() {
    }

    public static List<String> of(String presenceText, BaseStatus baseStatus) {
        List<String> warnings = new ArrayList<>();
        if (presenceText == null || baseStatus == null) {
            return warnings;
        }
        BaseStatus reads = readsAs(presenceText);
        if (reads != null && reads != baseStatus) {
            warnings.add("The presence text reads like " + reads + " but the base status is " + baseStatus
                    + ": routing will treat agents in it as " + baseStatus + ".");
        }
        return warnings;
    }

    private static BaseStatus readsAs(String text) {
        if (DND.matcher(text).find()) {
            return BaseStatus.BUSY_DND;
        }
        Matcher word = STATUS_WORD.matcher(text);
        return word.find() ? BaseStatus.valueOf(word.group(1).toUpperCase(Locale.ROOT)) : null;
    }
}

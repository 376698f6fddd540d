package org.ccpresence.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Legal but probably mistaken presences: a presence text that reads like one base status while the presence is
 * mapped to another (e.g. "Available – Training" on OFFLINE). People read the text; routing reads the base status.
 */
final class PresenceWarnings {

    /** The first of these words in the text says which status a person would read; DND before busy. */
    private static final Pattern STATUS_WORD = Pattern.compile(
            "\\b(do not disturb|dnd|available|busy|away|offline)\\b", Pattern.CASE_INSENSITIVE);

    private static final Map<String, BaseStatus> READS_AS = Map.of(
            "do not disturb", BaseStatus.BUSY_DND, "dnd", BaseStatus.BUSY_DND, "available", BaseStatus.AVAILABLE,
            "busy", BaseStatus.BUSY, "away", BaseStatus.AWAY, "offline", BaseStatus.OFFLINE);

    private PresenceWarnings() {
    }

    static List<String> of(String presenceText, BaseStatus baseStatus) {
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
        String lower = text.toLowerCase(Locale.ROOT);
        // "Busy – DND" reads as do-not-disturb even though "busy" comes first.
        if (lower.matches(".*\\b(dnd|do not disturb)\\b.*")) {
            return BaseStatus.BUSY_DND;
        }
        Matcher m = STATUS_WORD.matcher(lower);
        return m.find() ? READS_AS.get(m.group(1)) : null;
    }
}

package org.ccpresence.presence;

import org.ccpresence.error.ApiException;

import io.smallrye.mutiny.Uni;

/**
 * A presence's time limit and where it moves agents when it is up, as a create or update leaves them, with the
 * contract's checks: 1–86 400 seconds; a thenPresence needs a limit and must be an agent-selectable presence without a
 * limit of its own, not the presence itself; a presence that another names as its thenPresence gets no limit.
 */
record TimeLimit(Integer seconds, Long then) {

    static final int MAX_SECONDS = 86_400;

    /** Left out of an update, both keep their value; clearing the limit clears thenPresence too unless it is given. */
    static TimeLimit of(PresenceInput input, Presence current) {
        boolean limitGiven = current == null || input.given.contains("timeLimitSeconds");
        boolean thenGiven = current == null || input.given.contains("thenPresenceId");
        Integer seconds = limitGiven ? input.timeLimitSeconds : current.timeLimitSeconds;
        Long then = thenGiven ? input.thenPresenceId : seconds == null ? null : current.thenPresenceId;
        return new TimeLimit(seconds, then);
    }

    Uni<Void> check(PresenceRepository presences, Presence self) {
        if (seconds != null && (seconds < 1 || seconds > MAX_SECONDS)) {
            throw ApiException.badInput("timeLimitSeconds must be 1–" + MAX_SECONDS + " (got " + seconds + "), or null for no limit.");
        }
        if (then != null && seconds == null) {
            throw ApiException.badInput("thenPresenceId needs a time limit: set timeLimitSeconds too, or leave thenPresenceId out.");
        }
        if (then != null && self != null && then.equals(self.id)) {
            throw ApiException.badInput("thenPresenceId cannot name the presence itself; choose where agents go when the time is up.");
        }
        Uni<Void> thenChecked = then == null ? Uni.createFrom().voidItem() : presences.findLiveForShare(then).invoke(target -> {
            if (target == null) {
                throw ApiException.badInput("thenPresenceId " + then + " is not a presence; list them with the presences query.");
            }
            if (!target.isAgentSelectable()) {
                throw ApiException.badInput("thenPresenceId cannot be '" + target.name + "': agents cannot be in it by choice.");
            }
            if (target.timeLimitSeconds != null) {
                throw ApiException.badInput("thenPresenceId cannot be '" + target.name + "': it has a time limit of its own.");
            }
        }).replaceWithVoid();
        if (seconds == null || self == null) {
            return thenChecked;
        }
        return thenChecked.chain(() -> presences.namingAsThen(self.id)).invoke(naming -> {
            if (!naming.isEmpty()) {
                throw ApiException.badInput("'" + self.name + "' cannot have a time limit: " + PresenceService.names(naming)
                        + " moves agents to it when their time is up.");
            }
        }).replaceWithVoid();
    }
}

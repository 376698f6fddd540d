package org.ccpresence.error;

import java.util.Map;
import java.util.Optional;

import org.hibernate.exception.ConstraintViolationException;

import io.vertx.pgclient.PgException;

/**
 * Turns constraint violations reported by PostgreSQL into contract errors. The database is the last line of defence
 * against races (two creates with one name), so its refusals must read as well as the services' own checks.
 */
final class DatabaseErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    private static final String CHECK_VIOLATION = "23514";

    /** Constraint name → what the caller should do about it. */
    private static final Map<String, ApiException> BY_CONSTRAINT = Map.of(
            "presence_name_unique",
            ApiException.conflict("A presence with this name already exists (names are compared ignoring case); choose another name."),
            "agent_user_id_key",
            ApiException.conflict("An agent with this userId already exists; each identity-provider subject maps to one agent."),
            "workstream_name_unique",
            ApiException.conflict("A workstream with this name already exists; choose another name."),
            "workstream_presence_after_reject_fk",
            ApiException.conflict("A workstream moves agents who reject its offers to this presence; change its "
                    + "presenceAfterRejectId first."),
            "webhook_workstream_fk",
            ApiException.conflict("A webhook receives only this workstream's changes; change its workstreamId or delete it first."));

    private DatabaseErrors() {
    }

    static Optional<ApiException> translate(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PgException pg) {
                return Optional.ofNullable(translate(pg.getSqlState(), pg.getConstraint()));
            }
            if (t instanceof ConstraintViolationException hibernate) {
                return Optional.ofNullable(translate(hibernate.getSQLState(), hibernate.getConstraintName()));
            }
        }
        return Optional.empty();
    }

    private static ApiException translate(String sqlState, String constraint) {
        ApiException known = constraint == null ? null : BY_CONSTRAINT.get(constraint);
        if (known != null) {
            return known;
        }
        return switch (String.valueOf(sqlState)) {
            case UNIQUE_VIOLATION -> ApiException.conflict("This would duplicate an existing record; change the conflicting value.");
            case FOREIGN_KEY_VIOLATION -> ApiException.conflict("This refers to a record that does not exist or is still in use.");
            case CHECK_VIOLATION -> ApiException.badInput("A value is outside its allowed range; check the lengths and values in the request.");
            default -> null;
        };
    }
}

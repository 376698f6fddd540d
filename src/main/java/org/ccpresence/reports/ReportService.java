package org.ccpresence.reports;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.AgentAccess;
import org.ccpresence.error.ApiException;
import org.ccpresence.error.Inputs;
import org.ccpresence.security.Caller;
import org.ccpresence.security.Roles;
import org.ccpresence.workstream.WorkstreamService;

import io.smallrye.mutiny.Uni;

/** The reports' rules (contract, "Reports"): periods, paging and who may ask about whom. */
@ApplicationScoped
public class ReportService {

    static final Duration MAX_PERIOD = Duration.ofDays(31);
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    private static final String PAGING = "; page with after (the last agent id you saw)";

    private final ReportRepository reports;
    private final AgentAccess access;
    private final WorkstreamService workstreams;

    ReportService(ReportRepository reports, AgentAccess access, WorkstreamService workstreams) {
        this.reports = reports;
        this.access = access;
        this.workstreams = workstreams;
    }

    public Uni<List<PresenceSummary>> presenceSummary(Caller caller, OffsetDateTime from, OffsetDateTime to,
            List<Long> agentIds, Long workstreamId, Integer first, Long after) {
        checkPeriod(from, to);
        int size = Inputs.first(first, DEFAULT_PAGE, MAX_PAGE, PAGING);
        return access.visibleAgents(caller, agentIds)
                .call(() -> knownWorkstream(workstreamId))
                .chain(visible -> reports.summary(from, to, visible, workstreamId, after == null ? 0 : after, size));
    }

    public Uni<List<AgentAt>> floorAt(Caller caller, OffsetDateTime at, Long workstreamId, Integer first, Long after) {
        caller.requireAnyRole(Roles.ADMIN, Roles.SUPERVISOR);
        if (at.isAfter(OffsetDateTime.now())) {
            throw ApiException.badInput("at must not be in the future (got " + at + "); for the floor now, read agents.");
        }
        int size = Inputs.first(first, DEFAULT_PAGE, MAX_PAGE, PAGING);
        return knownWorkstream(workstreamId)
                .chain(() -> reports.floorAt(at, workstreamId, after == null ? 0 : after, size));
    }

    static void checkPeriod(OffsetDateTime from, OffsetDateTime to) {
        if (!from.isBefore(to)) {
            throw ApiException.badInput("from must be before to (got from " + from + ", to " + to + ").");
        }
        if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
            throw ApiException.badInput("from and to may be at most 31 days apart (got "
                    + Duration.between(from, to).toHours() + " hours); ask for a shorter period.");
        }
    }

    private Uni<Void> knownWorkstream(Long workstreamId) {
        if (workstreamId == null) {
            return Uni.createFrom().voidItem();
        }
        return workstreams.find(workstreamId).invoke(found -> {
            if (found == null) {
                throw WorkstreamService.notFound(workstreamId);
            }
        }).replaceWithVoid();
    }
}

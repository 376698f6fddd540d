package org.ccpresence.reports;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;
import org.ccpresence.presence.BaseStatus;
import org.ccpresence.security.Caller;
import org.ccpresence.security.CallerContext;
import org.jboss.logging.Logger;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /reports/presence-summary.csv}: the presence summary for spreadsheets and payroll, with the rules of the
 * GraphQL query (it calls the same service). Written page by page of agents as the client reads it, so the service
 * holds one page, never the whole file.
 */
@ApplicationScoped
class PresenceSummaryCsv {

    private static final Logger LOG = Logger.getLogger(PresenceSummaryCsv.class);
    static final String HEADER = "agentId,userId,name,signedInSeconds,availableSeconds,busySeconds,busyDndSeconds,"
            + "awaySeconds,offlineSeconds,changes\r\n";
    private static final int PAGE = 500;

    private final ReportService reports;

    PresenceSummaryCsv(ReportService reports) {
        this.reports = reports;
    }

    void register(@Observes Router router) {
        router.get("/reports/presence-summary.csv").handler(this::handle);
    }

    private record Request(Caller caller, OffsetDateTime from, OffsetDateTime to, Long workstreamId) {
    }

    /** CSV lines of agents up to {@code lastAgentId}; null lines when no agent is left. */
    private record Page(long lastAgentId, String lines) {
    }

    private void handle(RoutingContext rc) {
        Uni<SecurityIdentity> identity = rc.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
        if (identity == null) {
            refuse(rc, 401, CallerContext.unauthenticated().getMessage());
            return;
        }
        BiConsumer<RoutingContext, Throwable> onBadToken = (ctx, failure) -> refuse(ctx, 401, CallerContext.badToken().getMessage());
        rc.put(QuarkusHttpUser.AUTH_FAILURE_HANDLER, onBadToken);
        identity.map(CallerContext::toCaller)
                .map(caller -> new Request(caller, time(rc, "from"), time(rc, "to"), id(rc, "workstreamId")))
                // the first page is read before anything is sent, so that every refusal still gets its status code
                .chain(request -> page(request, 0).map(first -> Map.entry(request, first)))
                .subscribe().with(started -> stream(rc, started.getKey(), started.getValue()), failure -> {
                    ApiException error = ContractErrors.toApiException(failure);
                    int status = switch (error.code()) {
                        case UNAUTHENTICATED -> 401;
                        case FORBIDDEN -> 403;
                        case BAD_USER_INPUT, NOT_FOUND -> 400;
                        default -> 500;
                    };
                    refuse(rc, status, error.getMessage());
                });
    }

    private void stream(RoutingContext rc, Request request, Page firstPage) {
        HttpServerResponse response = rc.response().setChunked(true)
                .putHeader("Content-Type", "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"presence-summary.csv\"");
        response.write(HEADER);
        writeFrom(rc, request, firstPage);
    }

    /** Writes a page, then reads the next once the client has taken what was written (the socket drained). */
    private void writeFrom(RoutingContext rc, Request request, Page page) {
        HttpServerResponse response = rc.response();
        if (page.lines() == null) {
            response.end();
            return;
        }
        response.write(Buffer.buffer(page.lines()));
        Promise<Void> drained = Promise.promise();
        if (response.writeQueueFull()) {
            response.drainHandler(v -> drained.tryComplete());
        } else {
            drained.complete();
        }
        drained.future().onSuccess(v -> page(request, page.lastAgentId()).subscribe().with(
                next -> writeFrom(rc, request, next),
                failure -> {
                    // the status line is sent: cut the download short so that it cannot pass for a whole file
                    LOG.warnf("The presence summary CSV failed after its first page: %s", failure.getMessage());
                    rc.request().connection().close();
                }));
    }

    /** The CSV lines of the next page of agents, those after {@code after}. */
    private Uni<Page> page(Request request, long after) {
        return reports.presenceSummary(request.caller(), request.from(), request.to(), null, request.workstreamId(), PAGE,
                after == 0 ? null : after).chain(summaries -> {
                    if (summaries.isEmpty()) {
                        return Uni.createFrom().item(new Page(after, null));
                    }
                    StringBuilder csv = new StringBuilder();
                    summaries.forEach(s -> line(csv, s));
                    return Uni.createFrom().item(new Page(summaries.get(summaries.size() - 1).agent.id, csv.toString()));
                });
    }

    private static void line(StringBuilder csv, PresenceSummary s) {
        csv.append(s.agent.id).append(',').append(quoted(s.agent.userId)).append(',')
                .append(quoted(s.agent.name)).append(',').append(seconds(s.signedInSeconds));
        for (BaseStatus status : BaseStatus.values()) {
            csv.append(',').append(seconds(s.secondsIn(status)));
        }
        csv.append(',').append(s.changes).append("\r\n");
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quoted(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }

    private static OffsetDateTime time(RoutingContext rc, String name) {
        String value = rc.queryParams().get(name);
        if (value == null || value.isBlank()) {
            throw ApiException.badInput("Give " + name + " as an ISO-8601 date-time with offset, e.g. " + name
                    + "=2026-11-24T00:00:00Z.");
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badInput(name + " is not an ISO-8601 date-time with offset (such as 2026-11-24T00:00:00Z): "
                    + oneLine(value) + ".");
        }
    }

    private static Long id(RoutingContext rc, String name) {
        String value = rc.queryParams().get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw ApiException.badInput(name + " must be an id this service gave out (digits only); got " + oneLine(value) + ".");
        }
        return Long.parseLong(value);
    }

    private static String oneLine(String value) {
        String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
        return "\"" + shown.replaceAll("[\\r\\n]", " ") + "\"";
    }

    private static void refuse(RoutingContext rc, int status, String reason) {
        if (rc.response().ended()) {
            return;
        }
        if (status == 401) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
        }
        rc.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(reason.replaceAll("[\\r\\n]+", " ") + "\n");
    }
}

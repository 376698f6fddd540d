package org.ccpresence.presence;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class PresenceRepository implements PanacheRepositoryBase<Presence, Long> {

    public Uni<List<Presence>> listLive() {
        return list("deletedAt is null order by id");
    }

    public Uni<Presence> findLive(long id) {
        return find("id = ?1 and deletedAt is null", id).firstResult();
    }

    /** Locks the presence against concurrent setPresence/createAgent (which take it FOR SHARE) until commit. */
    public Uni<Presence> findLiveForUpdate(long id) {
        return find("id = ?1 and deletedAt is null", id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Agents whose current or default presence this is. */
    public Uni<Long> countAgentsUsing(long id) {
        return getSession().chain(session -> session
                .createNativeQuery("SELECT count(*) FROM agent WHERE presence_id = ?1 OR default_presence_id = ?1", Long.class)
                .setParameter(1, id)
                .getSingleResult());
    }

    /** Workstreams that move agents who reject their offers to this presence. */
    public Uni<List<String>> workstreamsRejectingTo(long id) {
        return getSession().chain(session -> session
                .createNativeQuery("SELECT name FROM workstream WHERE presence_after_reject_id = ?1 ORDER BY name", String.class)
                .setParameter(1, id)
                .getResultList());
    }

    /** Live presences that move agents to this one when their time is up (their thenPresence). */
    public Uni<List<Presence>> namingAsThen(long id) {
        return list("thenPresenceId = ?1 and deletedAt is null", id);
    }

    /** Locks the presence against a concurrent update (which could give it a time limit) until commit. */
    public Uni<Presence> findLiveForShare(long id) {
        return find("id = ?1 and deletedAt is null", id).withLock(LockModeType.PESSIMISTIC_READ).firstResult();
    }
}

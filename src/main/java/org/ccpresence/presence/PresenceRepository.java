package org.ccpresence.presence;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

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
}

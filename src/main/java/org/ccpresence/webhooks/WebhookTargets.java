package org.ccpresence.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Where webhooks may point. A receiver is reached by address, not by name: the host is resolved (at registration and
 * again before every connection, since a name can be re-pointed) and loopback, private, link-local and other
 * non-public addresses are refused unless {@code PRESENCE_WEBHOOKS_ALLOW_PRIVATE=true}. The sender connects to the
 * address checked here.
 */
@ApplicationScoped
public class WebhookTargets {

    static final int MAX_URL = 2000;

    private final boolean allowPrivate;

    WebhookTargets(@ConfigProperty(name = "presence.webhooks.allow-private", defaultValue = "false") boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL, if it is one a webhook may have: http or https, a host, no user info, at most 2 000 characters. */
    static URI parse(String url) {
        String given = url == null ? "" : url.strip();
        if (given.isEmpty() || given.length() > MAX_URL) {
            throw ApiException.badInput("url must be 1–" + MAX_URL + " characters (got " + given.length() + ").");
        }
        URI uri;
        try {
            uri = new URI(given);
        } catch (URISyntaxException e) {
            throw ApiException.badInput("url is not a valid URL (" + e.getReason() + "); give e.g. https://wfm.example.com/presence.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badInput("url must start with https:// or http:// (got " + (scheme.isEmpty() ? "no scheme" : scheme) + ").");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.badInput("url must not contain user info (user:password@); receivers verify the signature instead.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.badInput("url must name a host, e.g. https://wfm.example.com/presence.");
        }
        return uri;
    }

    /** The address to connect to for this URL, resolved now; BAD_USER_INPUT if it does not resolve or is not public. */
    Uni<InetAddress> resolve(URI uri) {
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return Uni.createFrom().item(() -> {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw ApiException.badInput("The host " + host + " of url does not resolve; check the name.");
            }
            if (!allowPrivate) {
                for (InetAddress address : addresses) {
                    if (!isPublic(address)) {
                        throw ApiException.badInput("url points at " + address.getHostAddress() + ", a loopback, private or "
                                + "link-local address; webhooks go to public addresses unless the operator sets "
                                + "PRESENCE_WEBHOOKS_ALLOW_PRIVATE=true.");
                    }
                }
            }
            return addresses[0];
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && !(first == 100 && second >= 64 && second < 128) // shared address space (CGNAT)
                    && !(first == 198 && (second == 18 || second == 19)) && first < 224;
        }
        return !(address instanceof Inet6Address) || (b[0] & 0xfe) != 0xfc; // unique local fc00::/7
    }
}

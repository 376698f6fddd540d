package org.ccpresence.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.vertx.core.json.JsonObject;

/** GraphQL over HTTP, one request at a time, for the scenarios that time single answers or set things up. */
final class GraphQLClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String token;

    GraphQLClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** The answer's data; an answer with errors throws. */
    JsonObject data(String query, JsonObject variables) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/graphql"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("query", query).put("variables", variables).encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonObject body = new JsonObject(response.body());
        if (body.containsKey("errors")) {
            throw new IllegalStateException(body.encode());
        }
        return body.getJsonObject("data");
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

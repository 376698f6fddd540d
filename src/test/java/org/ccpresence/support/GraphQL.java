package org.ccpresence.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Posts GraphQL operations over HTTP, the way any client of the service does. */
public final class GraphQL {

    private GraphQL() {
    }

    /** Posts as an administrator. */
    public static JsonPath post(String query, Object... variables) {
        return postAs(Tokens.admin(), query, variables);
    }

    public static JsonPath postAs(String token, String query, Object... variables) {
        return send(io.restassured.RestAssured.port, token, query, variables).statusCode(200).extract().jsonPath();
    }

    /** Posts as an administrator to the service on another port, e.g. a second replica. */
    public static JsonPath postTo(int port, String query, Object... variables) {
        return send(port, Tokens.admin(), query, variables).statusCode(200).extract().jsonPath();
    }

    /** The raw exchange, for tests of status codes; token may be null. */
    public static io.restassured.response.ValidatableResponse send(int port, String token, String query, Object... variables) {
        Map<String, Object> vars = new HashMap<>();
        for (int i = 0; i < variables.length; i += 2) {
            vars.put((String) variables[i], variables[i + 1]);
        }
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("variables", vars);
        var request = given().port(port).contentType(ContentType.JSON).body(body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.when().post("/graphql").then();
    }

    /** The single error's {@code extensions.code}, failing if the response has no error. */
    public static String errorCode(JsonPath response) {
        String code = response.getString("errors[0].extensions.code");
        if (code == null) {
            throw new AssertionError("expected a GraphQL error, got " + response.prettify());
        }
        return code;
    }

    public static String errorMessage(JsonPath response) {
        return response.getString("errors[0].message");
    }

    public static String unique(String prefix) {
        return prefix + " " + Long.toString(System.nanoTime(), 36);
    }
}

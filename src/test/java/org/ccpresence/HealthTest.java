package org.ccpresence;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void liveAndReadyWhileTheDatabaseAnswers() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(org.hamcrest.Matchers.containsString("Reactive PostgreSQL")));
    }

    @Test
    void schemaIsServedAsSdlToAuthenticatedCallers() {
        given().header("Authorization", "Bearer " + org.ccpresence.support.Tokens.agent("anyone"))
                .get("/graphql/schema.graphql").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("enum BaseStatus"));
        given().get("/graphql/schema.graphql").then().statusCode(401);
    }
}

# FlowState: one image that runs `gateway`, `sequencer` or `dev`.
# Build stage: the Maven wrapper builds the shaded jar (tests run in CI, not here).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package && cp app/target/flowstate.jar /flowstate.jar

# Runtime: a JRE, a non-root user, a health check on the service's own endpoint.
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home /app flowstate && mkdir -p /app && chown flowstate /app
WORKDIR /app
COPY --from=build /flowstate.jar /app/flowstate.jar
USER flowstate
ENV FLOWSTATE_HTTP_PORT=8080 \
    FLOWSTATE_SEQUENCER_HTTP_PORT=8081 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 8080 8081
# The gateway answers on 8080, the sequencer on 8081: check whichever this container runs.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live || curl -fsS http://127.0.0.1:8081/health/live || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/flowstate.jar \"$@\"", "flowstate"]
CMD ["gateway"]

package io.acceltel.aggregator.api;

import io.acceltel.promql.engine.QueryException;

/**
 * An API failure with Prometheus's {@code errorType} and HTTP status: {@code bad_data} 400, {@code execution} 422,
 * {@code timeout} 503, {@code canceled} 499, {@code internal} 500, {@code not_found} 404, plus {@code unavailable}
 * 503 when the query pool is saturated.
 *
 * <pre>{@code
 * throw ApiError.invalidParam("step", "cannot parse \"x\" to a valid duration");
 * // {"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"x\" ..."}
 * }</pre>
 */
public final class ApiError extends RuntimeException {
  private final String type;
  private final int status;

  public ApiError(String type, int status, String message) {
    super(message, null, false, false);
    this.type = type;
    this.status = status;
  }

  public static ApiError badData(String message) {
    return new ApiError("bad_data", 400, message);
  }

  /** Prometheus's {@code invalidParamError}: {@code invalid parameter "<name>": <why>}. */
  public static ApiError invalidParam(String name, String why) {
    return badData("invalid parameter \"" + name + "\": " + why);
  }

  public static ApiError execution(String message) {
    return new ApiError("execution", 422, message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError("unavailable", 503, message);
  }

  public static ApiError internal(String message) {
    return new ApiError("internal", 500, message);
  }

  /** The engine's error, with the API's type and status; parse errors name the {@code query} parameter. */
  public static ApiError of(QueryException e) {
    String message = e.getMessage() == null ? e.type().wire() : e.getMessage();
    return switch (e.type()) {
      case BAD_DATA -> message.startsWith("invalid parameter") ? badData(message) : invalidParam("query", message);
      case EXECUTION -> execution(message);
      case TIMEOUT -> new ApiError("timeout", 503, message);
      case CANCELED -> new ApiError("canceled", 499, message);
      case INTERNAL -> internal(message);
    };
  }

  public String type() {
    return type;
  }

  public int status() {
    return status;
  }
}

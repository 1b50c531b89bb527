namespace LgspHub.Contracts;

/// <summary>What became of a transaction through the hub, by the brief's definitions: the gateway records it, clients count it.</summary>
public enum Outcome
{
    /// <summary>The agency answered without a server error or timeout (its 4xx included: it answered).</summary>
    Succeeded,
    /// <summary>The hub itself refused: no token, no right, over the rate limit, bad input, no such route.</summary>
    Rejected,
    /// <summary>A server error or timeout, at the agency or in the hub.</summary>
    Failed,
    /// <summary>
    /// The client went away before its answer was complete (nginx's 499): neither the hub's refusal nor a failure of
    /// the hub or the agency, so out of the success rate as refusals are. Last: records store outcomes as numbers.
    /// </summary>
    Abandoned,
}

public static class Outcomes
{
    /// <summary>
    /// An answer the caller got: an agency that answered (<paramref name="agencyStatus"/>, which the gateway passes on in
    /// X-Lgsp-Agency-Status) succeeded unless it answered a server error; an answer of the gateway alone is a refusal
    /// (4xx) or a failure (5xx).
    /// </summary>
    public static Outcome OfAnswer(int status, int? agencyStatus) => (status, agencyStatus) switch
    {
        (_, >= 500) => Outcome.Failed,
        (_, not null) => Outcome.Succeeded,
        ( >= 500, null) => Outcome.Failed,
        ( >= 400, null) => Outcome.Rejected,
        _ => Outcome.Succeeded,
    };
}

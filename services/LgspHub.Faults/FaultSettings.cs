using System.Text.Json;
using System.Text.Json.Serialization;
using LgspHub.ServiceDefaults;

namespace LgspHub.Faults;

/// <summary>
/// The faults injected into one agency while it runs: the body of GET, PUT and DELETE on the agency's
/// /admin/faults and on the gateway's /lgsp/faults/{agency} (JSON in camelCase). A PUT may give any subset
/// of the fields, the latency's too; what it leaves out keeps its current value.
/// </summary>
/// <param name="ErrorRate">Share (0..1) of the agency's /api requests answered 503 with a problem.</param>
/// <param name="Latency">Delay added to a share of the /api requests.</param>
/// <param name="TimeoutRate">Share (0..1) of /api requests that hang past the gateway's 10 s agency timeout (the gateway answers 504).</param>
/// <param name="ConsumerFailureRate">Share (0..1) of consume attempts that throw, inside the retries: 1 sends every event to the error queue.</param>
/// <param name="Outage">The agency is down: every /api request 503, readiness Unhealthy, consumers paused until the outage ends.</param>
public sealed record FaultSettings(double ErrorRate, LatencyFault Latency, double TimeoutRate, double ConsumerFailureRate, bool Outage)
{
    public static readonly FaultSettings Off = new(0, LatencyFault.Off, 0, 0, false);
}

/// <summary>
/// Latency added to a share (<paramref name="Rate"/>) of requests, drawn from a distribution:
/// fixed waits <paramref name="MeanMs"/>; uniform waits from <paramref name="MinMs"/> to <paramref name="MaxMs"/>;
/// exponential waits <paramref name="MinMs"/> plus an exponential tail, <paramref name="MeanMs"/> on average,
/// never more than <paramref name="MaxMs"/> (a long tail, as real latency has).
/// </summary>
public sealed record LatencyFault(double Rate, LatencyDistribution Distribution, int MinMs, int MaxMs, int MeanMs)
{
    /// <summary>A delay the gateway's 10 s timeout already turns into a 504: longer is what timeoutRate is for.</summary>
    public const int LongestMs = 60_000;

    public static readonly LatencyFault Off = new(0, LatencyDistribution.Fixed, 0, 0, 0);

    public TimeSpan Sample(Random random) => TimeSpan.FromMilliseconds(Distribution switch
    {
        LatencyDistribution.Uniform => MinMs + random.NextDouble() * (MaxMs - MinMs),
        // Inverse transform: -ln(1 - u) is exponential with mean 1; 1 - u is never 0.
        LatencyDistribution.Exponential => Math.Min(MaxMs, MinMs - Math.Log(1 - random.NextDouble()) * (MeanMs - MinMs)),
        _ => MeanMs,
    });
}

[JsonConverter(typeof(JsonStringEnumConverter<LatencyDistribution>))]
public enum LatencyDistribution
{
    [JsonStringEnumMemberName("fixed")] Fixed,
    [JsonStringEnumMemberName("uniform")] Uniform,
    [JsonStringEnumMemberName("exponential")] Exponential,
}

/// <summary>
/// Reads a PUT body into new settings, field by field, so that one 400 names every bad field
/// (a typed body would stop at the first value of the wrong type, naming none).
/// </summary>
public static class FaultSettingsUpdate
{
    /// <returns>The merged settings, or null with <paramref name="errors"/> filled.</returns>
    public static FaultSettings? Merge(FaultSettings current, JsonElement body, FieldErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "A JSON object with any of errorRate, latency, timeoutRate, consumerFailureRate, outage.");
            return null;
        }
        var merged = current;
        foreach (var field in body.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.Null)
                continue; // not given: keeps its value
            merged = Key(field.Name) switch
            {
                "errorrate" => merged with { ErrorRate = Rate(field.Value, "errorRate", errors) ?? merged.ErrorRate },
                "timeoutrate" => merged with { TimeoutRate = Rate(field.Value, "timeoutRate", errors) ?? merged.TimeoutRate },
                "consumerfailurerate" => merged with { ConsumerFailureRate = Rate(field.Value, "consumerFailureRate", errors) ?? merged.ConsumerFailureRate },
                "outage" => merged with { Outage = Flag(field.Value, "outage", errors) ?? merged.Outage },
                "latency" => merged with { Latency = MergeLatency(merged.Latency, field.Value, errors) },
                _ => Unknown(merged, field.Name, "errorRate, latency, timeoutRate, consumerFailureRate, outage", errors),
            };
        }
        CheckLatency(merged.Latency, errors);
        return errors.Any ? null : merged;
    }

    private static LatencyFault MergeLatency(LatencyFault current, JsonElement body, FieldErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("latency", "An object: { rate, distribution, minMs, maxMs, meanMs }.");
            return current;
        }
        var merged = current;
        foreach (var field in body.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.Null)
                continue;
            merged = Key(field.Name) switch
            {
                "rate" => merged with { Rate = Rate(field.Value, "latency.rate", errors) ?? merged.Rate },
                "distribution" => merged with { Distribution = Distribution(field.Value, errors) ?? merged.Distribution },
                "minms" => merged with { MinMs = Milliseconds(field.Value, "latency.minMs", errors) ?? merged.MinMs },
                "maxms" => merged with { MaxMs = Milliseconds(field.Value, "latency.maxMs", errors) ?? merged.MaxMs },
                "meanms" => merged with { MeanMs = Milliseconds(field.Value, "latency.meanMs", errors) ?? merged.MeanMs },
                _ => Unknown(merged, "latency." + field.Name, "rate, distribution, minMs, maxMs, meanMs", errors),
            };
        }
        return merged;
    }

    /// <summary>What each distribution needs, checked on the merged result so fields may come in any order or request.</summary>
    private static void CheckLatency(LatencyFault latency, FieldErrors errors)
    {
        if (latency.Distribution == LatencyDistribution.Uniform && latency.MinMs > latency.MaxMs)
            errors.Add("latency.maxMs", $"At least minMs ({latency.MinMs}) for the uniform distribution.");
        if (latency.Distribution == LatencyDistribution.Exponential && latency.MeanMs < latency.MinMs)
            errors.Add("latency.meanMs", $"At least minMs ({latency.MinMs}) for the exponential distribution.");
        if (latency.Distribution == LatencyDistribution.Exponential && latency.MaxMs < latency.MeanMs)
            errors.Add("latency.maxMs", $"At least meanMs ({latency.MeanMs}) for the exponential distribution: it caps the tail.");
    }

    private static string Key(string name) => name.ToLowerInvariant();

    private static T Unknown<T>(T unchanged, string field, string known, FieldErrors errors)
    {
        errors.Add(field, $"Not a setting; these are: {known}.");
        return unchanged;
    }

    private static double? Rate(JsonElement value, string field, FieldErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and <= 1 and var rate)
            return rate;
        errors.Add(field, "A rate from 0 to 1.");
        return null;
    }

    private static bool? Flag(JsonElement value, string field, FieldErrors errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        errors.Add(field, "true or false.");
        return null;
    }

    private static int? Milliseconds(JsonElement value, string field, FieldErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var ms) && ms is >= 0 and <= LatencyFault.LongestMs)
            return ms;
        errors.Add(field, $"Whole milliseconds from 0 to {LatencyFault.LongestMs}.");
        return null;
    }

    private static LatencyDistribution? Distribution(JsonElement value, FieldErrors errors)
    {
        LatencyDistribution? distribution = value.ValueKind == JsonValueKind.String ? value.GetString()!.ToLowerInvariant() switch
        {
            "fixed" => LatencyDistribution.Fixed,
            "uniform" => LatencyDistribution.Uniform,
            "exponential" => LatencyDistribution.Exponential,
            _ => null,
        } : null;
        if (distribution is null)
            errors.Add("latency.distribution", "fixed, uniform or exponential.");
        return distribution;
    }
}

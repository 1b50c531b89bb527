using System.Globalization;
using System.Text.Json.Nodes;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Operations;

/// <summary>
/// What `faults` was asked for: no setting shows the faults (GET), "off" clears them all (DELETE), key=value pairs are
/// merged into the current ones (PUT of a partial FaultSettings). Checked here so that a typo is a usage error before
/// anything is sent; the agency checks the whole again (a latency its distribution cannot use).
/// </summary>
internal sealed record FaultChange(HttpMethod Method, JsonObject? Body)
{
    public const string Settings = "errorRate, timeoutRate, consumerFailureRate, outage, latency.rate, latency.distribution, latency.minMs, latency.maxMs, latency.meanMs";

    public static FaultChange Parse(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
            return new(HttpMethod.Get, null);
        if (arguments is ["off"])
            return new(HttpMethod.Delete, null);
        var body = new JsonObject();
        var latency = new JsonObject();
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new UsageException($"expected key=value or off, not: {argument} (a bare rate was consumerFailureRate={argument})");
            var (key, text) = (argument[..equals], argument[(equals + 1)..]);
            JsonNode value = key switch
            {
                "errorRate" or "timeoutRate" or "consumerFailureRate" or "latency.rate" => Share(key, text),
                "outage" => text switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new UsageException($"outage is true or false, not: {text}"),
                },
                "latency.distribution" => text is "fixed" or "uniform" or "exponential"
                    ? text
                    : throw new UsageException($"latency.distribution is fixed, uniform or exponential, not: {text}"),
                "latency.minMs" or "latency.maxMs" or "latency.meanMs" =>
                    text.Length <= 5 && text.All(char.IsAsciiDigit) && int.TryParse(text, CultureInfo.InvariantCulture, out var ms) && ms <= 60_000
                        ? ms
                        : throw new UsageException($"{key} is whole milliseconds (0 to 60000), not: {text}"),
                _ => throw new UsageException($"unknown setting: {key} ({Settings})"),
            };
            if (key.StartsWith("latency.", StringComparison.Ordinal))
                latency[key["latency.".Length..]] = value;
            else
                body[key] = value;
        }
        if (latency.Count > 0)
            body["latency"] = latency;
        return new(HttpMethod.Put, body);
    }

    private static double Share(string key, string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.')
        && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
            ? share
            : throw new UsageException($"{key} is a share from 0 to 1, not: {text}");
}

using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Operations;

/// <summary>
/// ./lgsp consumers add|list|revoke: the gateway's operators' API (/lgsp/consumers; validation, secrets and the audit
/// are the gateway's), called as an operator consumer: LGSP_OPERATOR_CLIENT_ID and LGSP_OPERATOR_SECRET, else the
/// development hub's lgsp.operator.
/// </summary>
internal static class ConsumersCommand
{
    public static Command Create(HubRepository layout)
    {
        var id = new Argument<string>("id") { Description = "The consumer's id, which its tokens carry" };
        var name = new Option<string>("--name") { Description = "Its display name", Required = true };
        var rights = new Option<string>("--rights") { Description = "The operations it may call, comma-separated (land.read-parcel,…)", Required = true };
        var rate = new Option<int?>("--rate") { Description = "Its requests per second (default: the gateway's)" };
        rate.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--rate is requests per second, a whole number above 0"); });
        var add = new Command("add", "Register a consumer system; its client secret is printed once and never shown again") { id, name, rights, rate };
        add.SetAction(async (parsed, cancellationToken) =>
        {
            var body = new JsonObject
            {
                ["id"] = parsed.GetValue(id),
                ["displayName"] = parsed.GetValue(name),
                ["rights"] = new JsonArray([.. parsed.GetValue(rights)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(r => JsonValue.Create(r))]),
            };
            if (parsed.GetValue(rate) is { } perSecond)
                body["requestsPerSecond"] = perSecond;
            var consumer = Expect(await SendAsync(layout, HttpMethod.Post, "/lgsp/consumers", body, cancellationToken), HttpStatusCode.Created);
            Console.WriteLine($"registered {consumer.GetProperty("id")}: {string.Join(", ", consumer.GetProperty("rights").EnumerateArray())}, "
                + $"{consumer.GetProperty("requestsPerSecond")}/s (burst {consumer.GetProperty("burst")})");
            Console.WriteLine($"client secret: {consumer.GetProperty("clientSecret")}");
            Console.WriteLine($"It is not shown again: keep it now. Trade it for a token at {consumer.GetProperty("tokenUrl")} (client credentials).");
            return 0;
        });

        var list = new Command("list", "Every consumer, configured or registered, revoked ones too: id, source, state, rights (tab-separated)");
        list.SetAction(async (_, cancellationToken) =>
        {
            foreach (var consumer in Expect(await SendAsync(layout, HttpMethod.Get, "/lgsp/consumers", null, cancellationToken), HttpStatusCode.OK).EnumerateArray())
            {
                var source = consumer.GetProperty("source").GetString();
                var state = consumer.TryGetProperty("revokedAt", out var revoked) && revoked.ValueKind == JsonValueKind.String ? $"revoked {revoked}"
                    : source == "api" && !(consumer.TryGetProperty("activeFrom", out var active) && active.ValueKind == JsonValueKind.String) ? "inactive"
                    : "active";
                Console.WriteLine(string.Join('\t', consumer.GetProperty("id"), source, state, string.Join(',', consumer.GetProperty("rights").EnumerateArray())));
            }
            return 0;
        });

        var revokedId = new Argument<string>("id") { Description = "The consumer to revoke" };
        var revoke = new Command("revoke", "Revoke a consumer: no new token, and its tokens refused from their next request (on other gateway instances within Lgsp:RegistrationsRefresh, 2 s)") { revokedId };
        revoke.SetAction(async (parsed, cancellationToken) =>
        {
            var consumer = parsed.GetValue(revokedId)!;
            Expect(await SendAsync(layout, HttpMethod.Delete, "/lgsp/consumers/" + Uri.EscapeDataString(consumer), null, cancellationToken), HttpStatusCode.NoContent);
            Say.Info($"revoked {consumer}: no new token, and its tokens are refused from their next request");
            return 0;
        });
        return new Command("consumers", "With the hub running: register, list or revoke consumer systems, through the gateway's /lgsp/consumers "
            + "as the operator consumer LGSP_OPERATOR_CLIENT_ID (default lgsp.operator); the gateway: LGSP_GATEWAY_URL (default its port on 127.0.0.1)")
        { add, list, revoke };
    }

    private static Uri Gateway(HubRepository layout) =>
        Environment.GetEnvironmentVariable("LGSP_GATEWAY_URL") is { Length: > 0 } url ? new Uri(url.TrimEnd('/') + "/") : layout.Gateway.Url;

    /// <summary>A token for the operator, then the call.</summary>
    private static async Task<(Uri Gateway, HubAnswer Answer)> SendAsync(HubRepository layout, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var gateway = Gateway(layout);
        using var http = new HttpClient { BaseAddress = gateway, Timeout = AgencyAdmin.Timeout };
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = Environment.GetEnvironmentVariable("LGSP_OPERATOR_CLIENT_ID") ?? "lgsp.operator",
                ["client_secret"] = Environment.GetEnvironmentVariable("LGSP_OPERATOR_SECRET") ?? "operator-dev-secret",
            }),
        };
        var token = await HubAnswer.SendAsync(http, tokenRequest, cancellationToken);
        if (token.Status != HttpStatusCode.OK || token.Body is not { } tokenBody || !tokenBody.TryGetProperty("access_token", out var accessToken))
            throw new CliException($"no operator token from {gateway}connect/token (is the hub up? set LGSP_OPERATOR_CLIENT_ID and LGSP_OPERATOR_SECRET for another hub)");
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.GetString());
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return (gateway, await HubAnswer.SendAsync(http, request, cancellationToken));
    }

    /// <summary>The body of the expected answer, or the problem the gateway answered instead (its detail, and each field's errors).</summary>
    private static JsonElement Expect((Uri Gateway, HubAnswer Answer) call, HttpStatusCode expected)
    {
        var (gateway, answer) = call;
        if (answer.Status == expected)
            return answer.Body ?? default;
        if (answer.Status is not { } status)
            throw new CliException($"the gateway did not answer on {gateway}");
        throw new CliException($"the gateway answered HTTP {(int)status}: {answer.Problem()}");
    }
}

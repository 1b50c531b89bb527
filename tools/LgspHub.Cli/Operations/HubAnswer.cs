using System.Net;
using System.Text.Json;

namespace LgspHub.Cli.Operations;

/// <summary>What an agency's /admin or the gateway answered: its status (null when nothing answered) and JSON body.</summary>
internal sealed record HubAnswer(HttpStatusCode? Status, JsonElement? Body)
{
    public static readonly HubAnswer None = new(null, null);

    /// <summary>The problem's detail (or title) and each field's errors, in one line; "" when the body is no problem.</summary>
    public string Problem()
    {
        if (Body is not { ValueKind: JsonValueKind.Object } problem)
            return "";
        var parts = new List<string>();
        if ((problem.TryGetProperty("detail", out var detail) || problem.TryGetProperty("title", out detail)) && detail.ValueKind == JsonValueKind.String)
            parts.Add(detail.GetString()!);
        parts.AddRange(FieldErrors().Select(e => $"{e.Field}: {e.Errors}"));
        return string.Join("; ", parts);
    }

    /// <summary>Each refused field of a validation problem and why.</summary>
    public IEnumerable<(string Field, string Errors)> FieldErrors() =>
        Body is { ValueKind: JsonValueKind.Object } problem && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(e => (e.Name, string.Join(" ", e.Value.EnumerateArray().Select(v => v.ToString()))))
            : [];

    public static async Task<HubAnswer> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? body = null;
            try
            {
                body = text.Length > 0 ? JsonDocument.Parse(text).RootElement : null;
            }
            catch (JsonException)
            {
            }
            return new HubAnswer(response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return None;
        }
    }
}

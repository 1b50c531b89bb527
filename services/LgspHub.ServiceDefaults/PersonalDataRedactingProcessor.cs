using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace LgspHub.ServiceDefaults;

/// <summary>
/// Keeps personal IDs out of exported spans. Agency routes carry IDs in their paths
/// (/citizens/{id}), which the HTTP instrumentations copy into url.* tags.
/// </summary>
public sealed partial class PersonalDataRedactingProcessor : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.path", "url.full", "http.target", "http.url"];

    public override void OnEnd(Activity data)
    {
        // Query strings may carry names or dates of birth: never export them.
        if (data.GetTagItem("url.query") is not null)
            data.SetTag("url.query", "{redacted}");
        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string value && LongDigitRun().IsMatch(value))
                data.SetTag(tag, LongDigitRun().Replace(value, "{redacted}"));
        }
        if (LongDigitRun().IsMatch(data.DisplayName))
            data.DisplayName = LongDigitRun().Replace(data.DisplayName, "{redacted}");
    }

    // Nine or more digits: personal IDs (12) and the old identity card numbers (9).
    [GeneratedRegex("[0-9]{9,}")]
    private static partial Regex LongDigitRun();
}

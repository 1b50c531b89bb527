using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// Debian's nginx as a private process (its own configuration under .lgsp/bench/nginx, no daemon, loopback only),
/// proxying to the land agency over kept-alive upstream connections with the land agency's key, as the gateway
/// presents it: the reverse proxy the gateway is compared with.
/// </summary>
public static partial class NginxProxy
{
    public const string Program = "/usr/sbin/nginx";

    public static string Configuration(string folder, int port, int landPort, string landKey) => $$"""
        # Written by ./lgsp bench gateway (tools/LgspHub.Benchmarks): the reverse proxy the gateway is compared with.
        daemon off;
        worker_processes auto;
        pid {{folder}}/nginx.pid;
        error_log {{folder}}/error.log warn;
        events { worker_connections 1024; }
        http {
          access_log off;
          client_body_temp_path {{folder}}/temp/body;
          proxy_temp_path {{folder}}/temp/proxy;
          fastcgi_temp_path {{folder}}/temp/fastcgi;
          uwsgi_temp_path {{folder}}/temp/uwsgi;
          scgi_temp_path {{folder}}/temp/scgi;
          upstream land {
            server 127.0.0.1:{{landPort}};
            keepalive 64;
          }
          server {
            listen 127.0.0.1:{{port}};
            location / {
              proxy_pass http://land;
              # HTTP/1.1 without "Connection: close", so upstream connections are kept alive and reused.
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_set_header Authorization "{{LgspHub.ServiceDefaults.AgencyCredentials.GatewayScheme}} {{landKey}}";
            }
          }
        }

        """;

    /// <summary>Writes the configuration, has nginx test it, then starts it.</summary>
    public static async Task<BenchProcess> StartAsync(BenchHub hub, int port, int landPort, string landKey, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(hub.Bench, "nginx");
        Directory.CreateDirectory(Path.Combine(folder, "temp"));
        var config = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(folder, port, landPort, landKey), cancellationToken);
        string[] arguments = ["-p", folder, "-c", config, "-e", Path.Combine(folder, "error.log")];

        var logFile = Path.Combine(hub.Logs, "bench-nginx.log");
        using (var test = Process.Start(new ProcessStartInfo(Program, ["-t", "-q", .. arguments]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new BenchException($"could not run {Program}"))
        {
            var errors = await test.StandardError.ReadToEndAsync(cancellationToken);
            await test.WaitForExitAsync(cancellationToken);
            await File.WriteAllTextAsync(logFile, errors, cancellationToken);
            if (test.ExitCode != 0)
                throw new BenchException($"nginx refused its configuration ({config}):\n{errors.TrimEnd()}");
        }
        return BenchProcess.Start("nginx", Program, arguments, folder, [], logFile);
    }

    /// <summary>"nginx 1.22 (Debian)", from `nginx -v` ("nginx version: nginx/1.22.1"), for the table.</summary>
    public static async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(Program, ["-v"]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new BenchException($"could not run {Program}");
        var text = await process.StandardError.ReadToEndAsync(cancellationToken) + await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return VersionNumber().Match(text) is { Success: true } version ? $"nginx {version.Groups[1].Value} (Debian)" : "nginx (Debian)";
    }

    [GeneratedRegex(@"nginx/(\d+\.\d+)")]
    private static partial Regex VersionNumber();
}

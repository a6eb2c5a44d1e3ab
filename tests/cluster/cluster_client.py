"""An HTTP client for the cluster that follows 307 redirects (POST
included) and says what an attempt's outcome is:
  ("ok", status, body)      the server answered (2xx/4xx; 404 included)
  ("unknown", reason)       the request may have been applied: timed out,
                            connection lost after sending, or answered
                            503 {"indeterminate": true}
  ("failed", reason)        certainly not applied: refused connection,
                            503 without a leader, redirect loop."""
import http.client
import json
import socket
import urllib.parse


def request(url, method, path, body=None, timeout=5.0, max_redirects=4):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    data = json.dumps(body).encode() if body is not None else None
    for _ in range(max_redirects + 1):
        parsed = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
        sent = False
        try:
            conn.request(method, path, body=data, headers=headers)
            sent = True
            reply = conn.getresponse()
            payload = reply.read()
            status = reply.status
            location = reply.getheader("Location")
        except ConnectionRefusedError:
            return ("failed", "refused")
        except (socket.timeout, TimeoutError):
            return ("unknown", "timeout") if sent or method != "GET" else ("failed", "timeout")
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            # Reset or closed: the request may or may not have been read.
            return ("unknown", "connection: %s" % e)
        finally:
            conn.close()
        if status == 307 and location:
            target = urllib.parse.urlsplit(location)
            url = "%s://%s" % (target.scheme, target.netloc)
            path = target.path + ("?" + target.query if target.query else "")
            continue
        if status == 503:
            try:
                doc = json.loads(payload.decode())
            except ValueError:
                doc = {}
            if doc.get("indeterminate"):
                return ("unknown", doc.get("error", "indeterminate"))
            return ("failed", doc.get("error", "503"))
        return ("ok", status, payload)
    return ("failed", "too many redirects")

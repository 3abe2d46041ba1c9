// The baseline of bench/otlp.ts: a bare HTTP server that only reads each request body and answers
// 200 with an empty ExportLogsServiceResponse (zero bytes is a valid empty protobuf message).
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": 0 });
    res.end();
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("listening\n"));

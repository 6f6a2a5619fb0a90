# EduCloud Live node image: Debian 12 with Node 20, the same packages `npm run setup` installs.
FROM node:20-bookworm
WORKDIR /app
COPY . .
RUN npm run setup
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data
EXPOSE 8080 1935 44444/udp 44444/tcp
CMD ["node", "server/dist/main.js"]

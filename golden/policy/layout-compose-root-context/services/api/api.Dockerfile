FROM python:3.11-slim
WORKDIR /app
COPY requirements/api.txt requirements.txt
RUN pip install --no-cache-dir -r requirements.txt
COPY services/api/ .
EXPOSE 8000
CMD ["python", "main.py"]
